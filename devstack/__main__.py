import os
import sys

from devstack import launcher

USAGE = ("usage: python -m devstack {run|test [pytest args]|fuzz [pytest args]|eval [pytest args]"
         "|manage <command>|bench [args]|backup [args]|restore [args]}")
# `make fuzz`: the suite's schemathesis run with this many examples per operation and mode (`make test`: 4).
FUZZ_EXAMPLES = "100"
FUZZ_TESTS = "tests/security/test_schemathesis.py"
# `make eval`: the evaluation corpus against the demo clinic; the test prints the figures (-s).
EVAL_TESTS = ["tests/conversations/test_evaluation.py", "tests/conversations/test_evaluation_llm.py"]
EVAL_SELECT = "floors or held_out"  # the tests that print figures: the corpus, the held-out set, the LLM over HTTP


def main(argv: list[str]) -> int:
    if not argv:
        print(USAGE)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return launcher.run()
    if command == "test":
        return launcher.test(rest)
    if command == "fuzz":
        # The same embedded services and checks as `make test`; -s prints the run's figures.
        os.environ.setdefault("SCHEMATHESIS_EXAMPLES", FUZZ_EXAMPLES)
        return launcher.test([FUZZ_TESTS, "-s", "-p", "no:logging", *rest])
    if command == "eval":
        # The suite's embedded services and test database; -q -s: the report is the output.
        return launcher.test([*EVAL_TESTS, "-k", EVAL_SELECT, "-q", "-s", "-p", "no:logging", *rest])
    if command == "manage":
        return launcher.shell_command(rest)
    if command in ("backup", "restore"):
        return launcher.backup_command(command, rest)
    if command == "bench":
        import bench  # the repository's bench/ folder (run from the checkout, never installed)

        return bench.main(rest)
    print(USAGE)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
