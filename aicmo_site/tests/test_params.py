import pytest

from aicmo_site.params import positive_id


@pytest.mark.embedded
@pytest.mark.parametrize(("value", "expected"), [
    ("12", 12), (" 7 ", 7), ("0", None), ("-3", None), ("1e3", None), ("", None), (None, None),
    ("٣", None), ("9223372036854775807", 9223372036854775807), ("9223372036854775808", None),
])
def test_positive_id_accepts_only_what_a_database_key_can_hold(value, expected):
    assert positive_id(value) == expected
