"""A hypothesis generator of records full of personal data, some of it in invalid fields.

Names and addresses are random runs of Thai consonants: they look like nothing the program
writes itself, so finding one in any output means personal data leaked.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

CONSONANTS = "".join(chr(c) for c in range(ord("ก"), ord("ฮ") + 1))
secret_text = st.text(alphabet=CONSONANTS, min_size=8, max_size=16)

# Ways to put a secret where it does not belong (each makes the record invalid).
MISPLACEMENTS = (
    "name_not_text",
    "name_as_date",
    "address_as_channel",
    "contact_as_bool",
    "note_with_bad_date",
    "respondent_name_not_text",
    "extra_field",
    "position_as_number",
    "valid",
)


@st.composite
def personal_record(draw: st.DrawFn, number: int = 0) -> tuple[dict[str, Any], list[str]]:
    """One complaint or case carrying secrets, perhaps misplaced; returns it with its secrets."""
    name, address, contact, note = (draw(secret_text) for _ in range(4))
    how = draw(st.sampled_from(MISPLACEMENTS))
    if how == "respondent_name_not_text" or draw(st.booleans()):
        record: dict[str, Any] = {
            "type": "disciplinary_case",
            "case_id": f"K-{number}",
            "agency": "เขตบางพลัด",
            "respondent_category": "civil_servant",
            "policy_clauses": [1],
            "respondent_name": name,
            "events": [
                {"kind": "fact_finding_ordered", "date": "2023-07-03", "note": note},
                {"kind": "fact_finding_order_reported", "date": "2023-07-12", "note": address},
            ],
        }
        if how == "respondent_name_not_text":
            record["respondent_name"] = {"first": name}
        elif how == "note_with_bad_date":
            record["events"][0]["date"] = "2566-02-30"
        elif how == "extra_field":
            record["nickname"] = name
        return record, [name, address, note]
    record = {
        "type": "complaint",
        "complaint_id": f"C-{number}",
        "agency": "เขตบางพลัด",
        "received_at": "2023-07-03T10:00:00+07:00",
        "channel": "hotline_1555",
        "corruption": True,
        "complainant": {"name": name, "address": address, "position": None, "contact": contact},
        "evidence": {"clear_evidence": False, "witnesses_identified": False},
        "events": [
            {"kind": "accepted", "date": "2023-07-04", "note": note},
            {"kind": "forwarded", "date": "2023-07-05", "identity_redacted": False},
            {"kind": "resolved", "date": "2023-07-30"},
        ],
    }
    if how == "name_not_text":
        record["complainant"]["name"] = [name]
    elif how == "name_as_date":
        record["received_at"] = name
    elif how == "address_as_channel":
        record["channel"] = address
    elif how == "contact_as_bool":
        record["corruption"] = contact
    elif how == "note_with_bad_date":
        record["events"][0]["date"] = note
    elif how == "extra_field":
        record["complainant"]["nickname"] = name
    elif how == "position_as_number":
        record["complainant"]["position"] = {"title": contact}
    return record, [name, address, contact, note]


@st.composite
def personal_batch(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str]]:
    """A few such records with distinct ids, and every secret they carry."""
    records, secrets = [], []
    for number in range(draw(st.integers(min_value=1, max_value=6))):
        record, found = draw(personal_record(number))
        records.append(record)
        secrets.extend(found)
    return records, secrets
