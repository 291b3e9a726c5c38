import datetime

import pytest
from django.core.exceptions import ValidationError

from core import id_numbers
from tests.idgen import make_id_number

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("raw", "normalised", "birth_date", "sex", "warns"),
    [
        # The example of the national standard GB 11643-1999.
        ("11010519491231002X", "11010519491231002X", datetime.date(1949, 12, 31), "female", False),
        ("360426199101010071", "360426199101010071", datetime.date(1991, 1, 1), "male", False),
        # Lower-case x and spaces, as people type them.
        (
            " 11010519491231002x ",
            "11010519491231002X",
            datetime.date(1949, 12, 31),
            "female",
            False,
        ),
        # Jingtai's code 620423 exists since 1985: an older resident keeps it, with a warning.
        (
            make_id_number("620423", "19600101", 11),
            make_id_number("620423", "19600101", 11),
            datetime.date(1960, 1, 1),
            "male",
            True,
        ),
        (
            make_id_number("620423", "19900707", 12),
            make_id_number("620423", "19900707", 12),
            datetime.date(1990, 7, 7),
            "female",
            False,
        ),
    ],
)
def test_valid_numbers_are_accepted(raw, normalised, birth_date, sex, warns):
    checked = id_numbers.check_id_number(raw, today=TODAY)
    assert checked.number == normalised
    assert checked.birth_date == birth_date
    assert checked.sex == sex
    assert bool(checked.warnings) is warns


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_length"),
        ("62042319900707012", "id_length"),
        ("6204231990070701234", "id_length"),
        ("62042319900707A123", "id_format"),
        ("11010519491231002Y", "id_format"),
        ("110105194912310021", "id_checksum"),  # the right number is ...002X
        (make_id_number("620423", "19900230", 1), "id_birth_date"),  # 30 February
        (make_id_number("620423", "20270101", 1), "id_birth_date"),  # in the future
        (make_id_number("620423", "18700101", 1), "id_birth_date"),  # older than anyone alive
        (make_id_number("990423", "19900101", 1), "id_area"),  # no such area
    ],
)
def test_invalid_numbers_are_refused_with_the_reason(raw, code):
    with pytest.raises(ValidationError) as error:
        id_numbers.check_id_number(raw, today=TODAY)
    assert error.value.code == code


def test_masking_keeps_the_area_and_the_last_four():
    assert id_numbers.mask("62042319900707012X") == "620423********012X"


def test_encryption_round_trips_and_differs_each_time():
    number = "11010519491231002X"
    first, second = id_numbers.encrypt(number), id_numbers.encrypt(number)
    assert number not in first
    assert first != second
    assert id_numbers.decrypt(first) == id_numbers.decrypt(second) == number


def test_the_lookup_hash_is_stable_and_keyed(settings):
    number = "11010519491231002X"
    hashed = id_numbers.lookup_hash(number)
    assert hashed == id_numbers.lookup_hash(number)
    settings.ID_HASH_KEY = "another key"
    assert id_numbers.lookup_hash(number) != hashed
