"""The NPS arithmetic, in one place: bands of a 0–10 score and the score of a tally.

Promoters answer 9–10, passives 7–8, detractors 0–6; NPS = % promoters − % detractors, from −100 to
100, one decimal. A tally with no responses has no NPS (None, "sem dados"): nothing divides by zero.
"""

from __future__ import annotations

from dataclasses import dataclass

PROMOTER_MIN = 9
PASSIVE_MIN = 7


def band(score: int) -> str:
    """"promoter", "passive" or "detractor"."""
    if score >= PROMOTER_MIN:
        return "promoter"
    return "passive" if score >= PASSIVE_MIN else "detractor"


def nps(*, promoters: int, detractors: int, responses: int) -> float | None:
    if not responses:
        return None
    return round(100 * (promoters - detractors) / responses, 1)


@dataclass
class Tally:
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> float | None:
        return nps(promoters=self.promoters, detractors=self.detractors, responses=self.responses)

    def add(self, *, promoters: int = 0, passives: int = 0, detractors: int = 0) -> Tally:
        self.promoters += promoters
        self.passives += passives
        self.detractors += detractors
        return self

    def as_dict(self) -> dict:
        return {"nps": self.nps, "promoters": self.promoters, "passives": self.passives,
                "detractors": self.detractors, "responses": self.responses}
