from monitoring.engine.rules import RULES
from monitoring.labels import RULE_CODES, RULE_LABELS


def test_the_models_know_every_rule_of_the_engine_in_its_order():
    assert RULE_CODES == tuple(rule.code for rule in RULES)


def test_every_reason_a_warning_can_carry_has_words():
    assert set(RULE_CODES) < set(RULE_LABELS)
