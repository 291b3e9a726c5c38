"""A notification stored as Chinese text only (before messages had keys) gets its key and
arguments back when its text is exactly a registered message, and is then read in English;
a text that is no message's rendering is left to the stored text."""

from django.utils import translation

from monitoring.messages import recover_message, render_message


def test_a_stored_chinese_text_is_read_back_into_its_key_and_arguments():
    arguments = {"number": "6204231002000004", "head": "蒋金凤"}
    with translation.override("zh-hans"):
        text = render_message("alert_assigned", arguments)
    assert recover_message(text, "zh-hans") == ("alert_assigned", arguments)
    with translation.override("en"):
        assert render_message("alert_assigned", arguments).startswith("A risk warning")


def test_a_text_that_is_no_message_is_left_as_it_is():
    assert recover_message("请尽快处理。", "zh-hans") is None
