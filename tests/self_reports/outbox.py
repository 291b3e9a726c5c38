"""An SMS backend for the tests: the messages it was given, in order."""

OUTBOX: list[tuple[str, str]] = []


class OutboxBackend:
    def send(self, phone: str, text: str) -> None:
        OUTBOX.append((phone, text))
