"""Console strings for reports, clocks and the district report:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # a dispatch none of whose messages reached anyone is never shown as notified (issue 16)
    "ds_nobody_reached": ("Nobody reached", "किसी से संपर्क नहीं हुआ"),
    "ds_sending": ("Sending, nobody reached yet", "भेजा जा रहा है, अभी किसी तक नहीं पहुँचा"),
}
