from stdnum.cn import ric


def make_id_number(area: str, birth: str, sequence: int) -> str:
    """A valid ID number: area code, YYYYMMDD birth date, 3-digit sequence, right check digit."""
    body = f"{area}{birth}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")
