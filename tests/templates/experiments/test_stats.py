"""The arithmetic: Wilson intervals, P(best) against the closed form and against sampling, the pick."""

import math
import random
from collections import Counter

import pytest

from templates.experiments.stats import epsilon_greedy, probability_best, rate, wilson_interval


def p_b_beats_a(a: tuple[int, int], b: tuple[int, int]) -> float:
    """P(rate B > rate A) under Beta(1 + c, 1 + n - c) posteriors, in closed form (integer parameters)."""
    (na, ca), (nb, cb) = a, b
    alpha_a, beta_a, alpha_b, beta_b = 1 + ca, 1 + na - ca, 1 + cb, 1 + nb - cb

    def log_beta(x, y):
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    return sum(math.exp(log_beta(alpha_a + i, beta_a + beta_b) - math.log(beta_b + i) - log_beta(1 + i, beta_b)
                        - log_beta(alpha_a, beta_a)) for i in range(alpha_b))


def test_the_wilson_interval_matches_known_values_and_stays_within_0_and_1():
    low, high = wilson_interval(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and round(high, 4) == 0.2775
    low, high = wilson_interval(10, 10)
    assert round(low, 4) == 0.7225 and high <= 1.0
    assert wilson_interval(0, 0) is None and rate(0, 0) is None


@pytest.mark.parametrize("a, b", [((0, 0), (0, 0)), ((10, 1), (10, 3)), ((1000, 50), (1000, 70)),
                                  ((100_000, 5000), (100_000, 5100)), ((5, 0), (100_000, 3)), ((200, 20), (40, 9))])
def test_p_best_of_two_matches_the_closed_form(a, b):
    p_a, p_b = probability_best([a, b])

    assert p_b == pytest.approx(p_b_beats_a(a, b), abs=1e-3)
    assert p_a + p_b == pytest.approx(1.0)


def test_p_best_of_four_matches_20000_monte_carlo_draws():
    counts = [(300, 30), (310, 35), (290, 40), (305, 33)]
    rng, draws, wins = random.Random(7), 20_000, Counter()
    for _ in range(draws):
        sample = [rng.betavariate(1 + c, 1 + n - c) for n, c in counts]
        wins[sample.index(max(sample))] += 1

    computed = probability_best(counts)

    for index, p in enumerate(computed):
        assert p == pytest.approx(wins[index] / draws, abs=0.015)  # ~4.5 standard errors of the sampling
    assert max(range(4), key=computed.__getitem__) == 2


def test_equal_evidence_gives_equal_chances():
    assert probability_best([(50, 5)] * 3) == pytest.approx([1 / 3] * 3, abs=1e-6)


def test_epsilon_zero_picks_the_best_observed_rate_and_breaks_ties_at_random():
    rng = random.Random(1)
    assert {epsilon_greedy([(10, 1), (10, 4), (0, 0)], epsilon=0.0, rng=rng) for _ in range(200)} == {1}
    assert {epsilon_greedy([(10, 2), (20, 4), (5, 0)], epsilon=0.0, rng=rng) for _ in range(200)} == {0, 1}


def test_epsilon_one_ignores_the_rates():
    rng = random.Random(2)
    picks = Counter(epsilon_greedy([(100, 90), (100, 1)], epsilon=1.0, rng=rng) for _ in range(2000))
    assert 900 <= picks[1] <= 1100
