"""The evaluation corpus and its runner: how well the assistant understands real WhatsApp Portuguese.

`corpus/` holds labelled customer utterances and multi-turn dialogues (YAML), written for the
demo clinic (devstack/demo). `runner.py` runs the utterances through the offline engine and the
dialogues through the real reply pipeline (sandbox channel, turn handlers, agenda); `report.py`
turns the outcomes into the figures `make eval` prints and tests/conversations/test_evaluation.py
holds to floors.
"""
