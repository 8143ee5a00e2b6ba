"""Every model change has its migration committed with it."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_without_its_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
