"""One row per fault, and the table they print as (Markdown, so it pastes into bench/README.md)."""

from dataclasses import dataclass, field

from .clients import Tally


@dataclass
class Row:
    """What one fault did: requests sent and failed, sessions or calls left lost or stuck, and why."""

    fault: str
    tally: Tally = field(default_factory=Tally)
    stuck: int = 0
    notes: list[str] = field(default_factory=list)
    error: str = ""  # the bench could not play the fault (a bug, or a piece of the deployment missing)

    @property
    def passed(self) -> bool:
        return not self.error and self.tally.failed == 0 and self.stuck == 0

    def note(self, text: str) -> None:
        self.notes.append(text)

    def cells(self) -> list[str]:
        notes = list(self.notes)
        if self.error:
            notes.insert(0, f"NOT PLAYED TO THE END: {self.error}")
        if self.tally.examples:
            notes.append("failures, e.g.: " + "; ".join(self.tally.examples))
        return [
            self.fault,
            str(self.tally.sent),
            str(self.tally.failed),
            str(self.stuck),
            "; ".join(notes).replace("|", "/").replace("\n", " "),
        ]


HEADER = ["fault", "requests sent", "failed", "sessions/calls lost or stuck", "notes"]


def render(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---", "--:", "--:", "--:", "---"]) + "|"]
    lines.extend("| " + " | ".join(row.cells()) + " |" for row in rows)
    return "\n".join(lines)
