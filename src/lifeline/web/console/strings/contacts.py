"""Console strings for registry contacts, test messages, drills and the demo inbox:
key -> (English, Hindi)."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "contacts_nav": ("Contacts", "संपर्क"),
    "contacts_title": ("Units and their contacts", "इकाइयाँ और उनके संपर्क"),
    "contacts_help": (
        "Numbers are partly hidden. Upload a CSV (UTF-8) with the header "
        "unit_id,name,role,channel, one row per channel: it replaces the contacts of the units "
        "it names, and only theirs. A file with any fault changes nothing.",
        "नंबर आंशिक रूप से छिपे हैं। unit_id,name,role,channel शीर्षक वाली CSV (UTF-8) अपलोड "
        "करें, हर चैनल की एक पंक्ति: यह केवल उसमें दी गई इकाइयों के संपर्क बदलती है। किसी भी "
        "गलती पर कुछ नहीं बदलता।",
    ),
    "contacts_file": ("Contacts file (CSV)", "संपर्क फ़ाइल (CSV)"),
    "contacts_dry_run": ("Only check, change nothing", "केवल जाँचें, कुछ न बदलें"),
    "contacts_upload": ("Upload", "अपलोड करें"),
    "contacts_problems": (
        "The file was not imported; nothing changed. Fix these rows:",
        "फ़ाइल आयात नहीं हुई; कुछ नहीं बदला। इन पंक्तियों को ठीक करें:",
    ),
    "contacts_imported": ("Contacts replaced", "संपर्क बदले गए"),
    "contacts_checked": ("File is valid (nothing changed)", "फ़ाइल सही है (कुछ नहीं बदला)"),
    "contacts_counts": ("units, contacts, channels", "इकाइयाँ, संपर्क, चैनल"),
    "contacts_unit": ("Unit", "इकाई"),
    "contacts_kind": ("Kind", "प्रकार"),
    "contacts_contact": ("Contact", "संपर्क"),
    "contacts_role": ("Role", "भूमिका"),
    "contacts_channels": ("Channels, in order", "चैनल, क्रम से"),
    "contacts_none": (
        "units have no contacts (messages to them raise an SMC alarm)",
        "इकाइयों का कोई संपर्क नहीं (उनके संदेश पर SMC अलार्म बजता है)",
    ),
    "contacts_test": ("Send test message", "परीक्षण संदेश भेजें"),
    "contacts_test_delivered": ("Test message delivered", "परीक्षण संदेश पहुँचा"),
    "contacts_test_failed": ("Test message NOT delivered", "परीक्षण संदेश नहीं पहुँचा"),
    "drill_badge": ("DRILL", "अभ्यास"),
    "drill_case_note": (
        "This is a drill: a test alert sent through the real path. No one is at risk; it is "
        "left out of reports. Record an outcome (false alarm) and close it when done.",
        "यह अभ्यास है: असली रास्ते से भेजा गया परीक्षण अलर्ट। कोई व्यक्ति खतरे में नहीं है; यह "
        "रिपोर्ट में नहीं गिना जाता। पूरा होने पर परिणाम (झूठा अलार्म) दर्ज करके बंद करें।",
    ),
    "demo_inbox_nav": ("Demo inbox", "डेमो इनबॉक्स"),
    "demo_inbox_title": (
        "Demo inbox: what officers would receive",
        "डेमो इनबॉक्स: अधिकारियों को मिलने वाले संदेश",
    ),
    "demo_inbox_help": (
        "Demo mode only. Each unit's demo contact delivers here instead of an SMS gateway; "
        "open a message's link to acknowledge as the officer would.",
        "केवल डेमो मोड। हर इकाई का डेमो संपर्क SMS के बजाय यहाँ संदेश देता है; अधिकारी की तरह "
        "स्वीकार करने के लिए संदेश का लिंक खोलें।",
    ),
    "demo_inbox_empty": (
        "No messages yet: post an alert or run `lifeline drill`.",
        "अभी कोई संदेश नहीं: अलर्ट भेजें या `lifeline drill` चलाएँ।",
    ),
    "demo_inbox_to": ("To", "प्रति"),
    "demo_inbox_ack": ("Acknowledge (as the officer)", "स्वीकार करें (अधिकारी के रूप में)"),
}
