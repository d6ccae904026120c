"""Console strings for whose risk an assessment describes (issue 19; docs/triage-guide.md,
*Subject*): key -> (English, Hindi). `subject_<value>` is shown next to the level."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "subject_self": ("about the author", "लिखने वाले के बारे में"),
    "subject_other": ("about someone else", "किसी और के बारे में"),
    "subject_general": ("about nobody in particular", "किसी खास व्यक्ति के बारे में नहीं"),
    "subject_other_hint": (
        "The person to find is not the author of the post",
        "जिसे ढूंढना है वह पोस्ट लिखने वाला नहीं है",
    ),
    "subject_cues": ("Subject cues", "विषय संकेत"),
}
