#!/usr/bin/env python3
"""Writes a lead file for `weiquan import leads` (docs/import.md) with N valid rows.

Usage: python3 benches/gen_leads.py [N] [--same-time] > leads.csv   (N defaults to 100000)

Deterministic (fixed seed). Each row is a 12330-hotline lead about a patent: a random 12-digit
application number of 2023 with its check digit (invention, utility model or design, with the
matching right kind), a complainant out of 50 and a respondent out of 300 names, and a listing
URL of its own. `received_at` is spread over January–March 2026 at random minutes, so almost
every lead has its own instant (and its own clock computation); with --same-time every row is
received at 2026-03-02 09:30, as in the file the issue was measured with.
"""

import random
import sys

WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
KINDS = [("invention_patent", "1"), ("utility_model", "2"), ("design_patent", "3")]
HEADER = (
    "source,received_at,channel,region_code,title,description,complainant_name,"
    "complainant_uscc,right_kind,right_number,right_title,respondent_name,respondent_uscc,"
    "respondent_address,listing_url"
)


def check_digit(digits: str) -> str:
    n = sum(int(d) * w for d, w in zip(digits, WEIGHTS)) % 11
    return "X" if n == 10 else str(n)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    same_time = "--same-time" in sys.argv
    n = int(args[0]) if args else 100_000
    rnd = random.Random(20261122)
    out = sys.stdout
    out.write(HEADER + "\n")
    for i in range(n):
        kind, type_digit = rnd.choice(KINDS)
        digits = "2023" + type_digit + "".join(rnd.choice("0123456789") for _ in range(7))
        number = f"ZL{digits}.{check_digit(digits)}"
        if same_time:
            received = "2026-03-02 09:30"
        else:
            day = rnd.randrange(90)  # 2026-01-01 + day
            month, dom = (1, day + 1) if day < 31 else (2, day - 30) if day < 59 else (3, day - 58)
            received = f"2026-{month:02}-{dom:02} {rnd.randrange(24):02}:{rnd.randrange(60):02}"
        out.write(
            f"hotline_12330,{received},e_commerce,320600,,"
            f"来电反映某网店销售侵犯专利权的锂电池隔膜产品，编号{i}。,南通某科技有限公司{i % 50},,"
            f"{kind},{number},一种锂电池隔膜,某某贸易商行{i % 300},,江苏省南通市,"
            f"https://shop.example.com/item/{i}\n"
        )


if __name__ == "__main__":
    main()
