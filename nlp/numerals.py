"""Read the Chinese numbers residents write in addresses (十二, 二十三, 一百零五, 五零一) as digits."""

DIGITS = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}


def number(token):
    """The value of a number written in digits or Chinese characters, as a digit string; None if it is not one."""
    if token.isdigit():
        return str(int(token))
    if not token or any(c not in DIGITS and c not in UNITS for c in token):
        return None
    if not any(c in UNITS for c in token):  # 五零一, 一零零二: read digit by digit
        return str(int("".join(str(DIGITS[c]) for c in token)))
    total, digit, last_unit = 0, None, 10_000
    for c in token:
        if c in DIGITS:
            if digit is not None and DIGITS[c] != 0:  # 五三十: two digits with no unit between
                return None
            digit = DIGITS[c] if DIGITS[c] != 0 else digit
        else:
            unit = UNITS[c]
            if unit >= last_unit:  # 十百, 百千百: units must fall
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return str(total + (digit or 0))
