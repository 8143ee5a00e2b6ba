"""One-time form tokens: a form resubmitted after it was saved must not save twice.

A token is issued into the session when the form is shown and moved to the used list when
the form is saved. A second submission of the same form finds its token used and saves
nothing. A token the session has never seen (an old tab after the lists moved on) is not
treated as used: the form is shown again, so nothing the agent typed is silently dropped.
"""

import uuid

from django.http import HttpRequest

OPEN_KEY = "console_form_tokens"
USED_KEY = "console_used_form_tokens"
OUTCOME_KEY = "console_form_outcomes"
KEEP = 20  # forms open at once in one session (several tabs), and recent saves remembered


def _remember(request: HttpRequest, key: str, token: str) -> None:
    tokens = [t for t in request.session.get(key, []) if t != token]
    request.session[key] = [*tokens, token][-KEEP:]


def issue(request: HttpRequest, token: uuid.UUID) -> None:
    _remember(request, OPEN_KEY, str(token))


def is_open(request: HttpRequest, token: uuid.UUID) -> bool:
    return str(token) in request.session.get(OPEN_KEY, [])


def was_used(request: HttpRequest, token: uuid.UUID) -> bool:
    return str(token) in request.session.get(USED_KEY, [])


def consume(request: HttpRequest, token: uuid.UUID, outcome: str = "") -> None:
    """Mark the form saved, so that the same submission cannot save again.

    `outcome` (e.g. the address of the record the form created) is kept with the used token,
    so a repeated submission can lead to what the first one made.
    """
    request.session[OPEN_KEY] = [t for t in request.session.get(OPEN_KEY, []) if t != str(token)]
    _remember(request, USED_KEY, str(token))
    used = request.session[USED_KEY]
    outcomes = {t: url for t, url in request.session.get(OUTCOME_KEY, {}).items() if t in used}
    if outcome:
        outcomes[str(token)] = outcome
    request.session[OUTCOME_KEY] = outcomes


def outcome_of(request: HttpRequest, token: uuid.UUID) -> str:
    """What the first submission of a used form recorded, or an empty string."""
    return request.session.get(OUTCOME_KEY, {}).get(str(token), "")
