"""What other apps do when one of their payments finishes, without this app importing them.

    from civicdesk.payments import hooks

    @hooks.on_finished("application")
    def application_paid(payment): ...

A handler gets the `Payment` once, when it first reaches a finished state (success, failed,
cancelled or error: look at `payment.status`), inside the transaction that records it: if the
handler raises, the new status is not recorded either, and the next refresh tries again.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from civicdesk.payments.models import Payment

Handler = Callable[["Payment"], None]
_handlers: dict[str, list[Handler]] = {}


def register(purpose: str, handler: Handler) -> Handler:
    """Call `handler(payment)` when a payment for `purpose` finishes; registering twice is a
    no-op (apps' `ready` may run more than once in tests)."""
    if not purpose:
        raise ValueError("Name the purpose the handler is for.")
    handlers = _handlers.setdefault(purpose, [])
    if handler not in handlers:
        handlers.append(handler)
    return handler


def unregister(purpose: str, handler: Handler) -> None:
    handlers = _handlers.get(purpose, [])
    if handler in handlers:
        handlers.remove(handler)


def on_finished(purpose: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        return register(purpose, handler)

    return decorate


def run(payment: "Payment") -> None:
    for handler in list(_handlers.get(payment.purpose, [])):
        handler(payment)
