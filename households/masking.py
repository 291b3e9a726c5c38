"""How sensitive fields look to someone who has not unmasked them.

Masking is the default for every role; a role with the unmask permission sees the full values
only through `services.sensitive_unmask`, which records the access.
"""

from households.id_numbers import mask as mask_id_number  # noqa: F401  (re-exported)

MASK = "***"


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else MASK


def mask_account(account: str) -> str:
    """6228480402564890018 -> ************0018."""
    if not account:
        return ""
    return "*" * max(len(account) - 4, 4) + account[-4:]
