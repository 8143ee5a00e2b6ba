from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from civicdesk.catalogue.models import LgslService

REAL_LIST = Path(settings.BASE_DIR).parent / "shared/data/lgsl-esd/lgsl-services.csv"

SMALL_CSV = """\
Identifier,Label,Description,Created,Modified,History notes,Type,
524,Household waste collection,"Collection of household waste.

Includes bulky items.",2013-04-03,2013-04-03,,Service,
587,Flytipping,Reporting rubbish dumped illegally.,2013-04-03,2013-04-03,,Service,
abc,Not a service,Bad identifier,2013-04-03,2013-04-03,,Service,
"""


def run(path: Path) -> str:
    out = StringIO()
    call_command("import_lgsl", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_reads_multi_line_descriptions_and_reports_bad_rows(tmp_path):
    path = tmp_path / "lgsl.csv"
    path.write_text(SMALL_CSV, encoding="utf-8")

    output = run(path)

    assert "2 new, 0 updated, 1 skipped" in output
    assert "identifier 'abc' is not a number" in output
    assert LgslService.objects.get(code=524).description == (
        "Collection of household waste.\n\nIncludes bulky items."
    )


@pytest.mark.django_db
def test_importing_again_updates_rather_than_duplicates(tmp_path):
    path = tmp_path / "lgsl.csv"
    path.write_text(SMALL_CSV, encoding="utf-8")
    run(path)
    path.write_text(SMALL_CSV.replace("Flytipping,", "Fly-tipping,"), encoding="utf-8")

    output = run(path)

    assert "0 new, 2 updated" in output
    assert LgslService.objects.count() == 2
    assert LgslService.objects.get(code=587).label == "Fly-tipping"


@pytest.mark.django_db
def test_a_missing_or_foreign_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no file"):
        run(tmp_path / "absent.csv")
    other = tmp_path / "other.csv"
    other.write_text("Name,Value\na,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not an LGSL CSV"):
        run(other)


@pytest.mark.django_db
def test_the_published_list_has_1519_services():
    if not REAL_LIST.exists():
        pytest.skip(f"{REAL_LIST} is not on this machine")

    output = run(REAL_LIST)

    assert LgslService.objects.count() == 1519
    assert "1519 new" in output
    assert LgslService.objects.get(code=524).label == "Household waste collection"
