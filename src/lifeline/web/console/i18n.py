"""Every string the console shows, in English and Hindi. Templates call `t("key")`; a missing
key is an error in tests (tests/integration/test_console_pages.py checks both languages)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType

# the domain's labels, shared with reports and the PDF (re-exported for the templates)
from lifeline.domain.labels import LEVELS as LEVELS
from lifeline.domain.labels import OUTCOMES as OUTCOMES
from lifeline.domain.labels import SOURCES as SOURCES
from lifeline.domain.labels import STATUSES as STATUSES
from lifeline.web.console.strings import (
    attention,
    contacts,
    counsellor,
    desk,
    field,
    floor,
    hold,
    quarantine,
    reports,
    review,
    subject,
)

IST = timezone(timedelta(hours=5, minutes=30), "IST")  # India has no daylight saving time

_CORE: dict[str, tuple[str, str]] = {
    "app": ("Lifeline console", "लाइफ़लाइन कंसोल"),
    "skip": ("Skip to main content", "मुख्य सामग्री पर जाएँ"),
    "sign_in": ("Sign in", "साइन इन करें"),
    "sign_out": ("Sign out", "साइन आउट"),
    "username": ("Username", "यूज़रनेम"),
    "password": ("Password", "पासवर्ड"),
    "code": ("Six-digit code from your authenticator app", "ऑथेंटिकेटर ऐप का छह अंकों का कोड"),
    "enrol": ("Set up two-factor sign-in", "दो-चरणीय साइन-इन सेट करें"),
    "enrol_help": (
        "First time here? Enter your password and the one-time enrolment code your admin gave "
        "you, scan the QR code with an authenticator app, then sign in with the code it shows.",
        "पहली बार? अपना पासवर्ड और एडमिन से मिला एक बार का नामांकन कोड डालें, ऑथेंटिकेटर ऐप से "
        "QR कोड स्कैन करें, फिर उसके कोड से साइन इन करें।",
    ),
    "enrol_show": ("Show my QR code", "मेरा QR कोड दिखाएँ"),
    "enrol_secret": ("Or type this key into the app:", "या यह कुंजी ऐप में लिखें:"),
    "signed_out": ("You are signed out.", "आप साइन आउट हो गए हैं।"),
    "session_ended": ("Your session ended; sign in again.", "सत्र समाप्त हुआ; फिर से साइन इन करें।"),
    "refused": ("Sign-in refused", "साइन-इन अस्वीकृत"),
    "refused_wrong": (
        "wrong username, password or two-factor code",
        "यूज़रनेम, पासवर्ड या दो-चरणीय कोड गलत है",
    ),
    "refused_wrong_enrolment": (
        "wrong username, password or enrolment code (a code works once and expires; ask an "
        "admin for a new one)",
        "यूज़रनेम, पासवर्ड या नामांकन कोड गलत है (कोड एक ही बार और सीमित समय तक चलता है; "
        "नए कोड के लिए एडमिन से कहें)",
    ),
    "refused_code_reused": (
        "that two-factor code was already used; wait for the next one",
        "यह दो-चरणीय कोड पहले ही इस्तेमाल हो चुका है; अगले कोड की प्रतीक्षा करें",
    ),
    "refused_throttled_address": (
        "too many attempts from this address;",
        "इस पते से बहुत अधिक प्रयास;",
    ),
    "refused_throttled_account": (
        "too many failed attempts for this username;",
        "इस यूज़रनेम के लिए बहुत अधिक असफल प्रयास;",
    ),
    "staff": ("Staff", "स्टाफ़"),
    "yes": ("yes", "हाँ"),
    "no": ("no", "नहीं"),
    "staff_done": ("Done", "हो गया"),
    "staff_new_secret": (
        "New two-factor secret (shown only now) for",
        "नया दो-चरणीय सीक्रेट (केवल अभी दिखाया गया) इनके लिए:",
    ),
    "staff_totp_secret": ("TOTP secret", "TOTP सीक्रेट"),
    "staff_role": ("Role", "भूमिका"),
    "staff_jurisdiction": ("Jurisdiction", "क्षेत्राधिकार"),
    "staff_active": ("Active", "सक्रिय"),
    "staff_wait": ("Sign-in wait", "साइन-इन प्रतीक्षा"),
    "staff_actions": ("Actions", "कार्रवाई"),
    "staff_enrolment_pending": ("enrolment pending", "नामांकन बाकी"),
    "staff_deactivate": ("Deactivate", "निष्क्रिय करें"),
    "staff_reactivate": ("Reactivate", "फिर सक्रिय करें"),
    "staff_unlock": ("Unlock", "अनलॉक करें"),
    "staff_reset_2fa": ("Reset two-factor", "दो-चरणीय रीसेट करें"),
    "staff_set_role": ("Change role", "भूमिका बदलें"),
    "try_again_in": ("try again in", "फिर से प्रयास करें, इतने समय बाद:"),
    "enrolment_code": (
        "One-time enrolment code (from your admin)",
        "एक बार का नामांकन कोड (आपके एडमिन से)",
    ),
    "queue": ("Live queue", "लाइव कतार"),
    "queue_empty": ("No open cases.", "कोई खुला केस नहीं।"),
    "phone_alert": ("Phone alert", "फ़ोन अलर्ट"),
    "language": ("हिन्दी", "English"),
    "language_label": ("Switch language", "भाषा बदलें"),
    "sound_on": ("Sound on", "आवाज़ चालू"),
    "sound_off": ("Sound off", "आवाज़ बंद"),
    "live": ("Updates live", "लाइव अपडेट"),
    "live_lost": ("Live updates stopped: sign in again", "लाइव अपडेट रुके: फिर से साइन इन करें"),
    "new_case": ("New case", "नया केस"),
    "case": ("Case", "केस"),
    "risk": ("Risk", "जोखिम"),
    "score": ("score", "स्कोर"),
    "since_alert": ("Since alert", "अलर्ट से"),
    "sla": ("Acknowledgement", "पावती"),
    "source": ("Source", "स्रोत"),
    "post": ("Post", "पोस्ट"),
    "place": ("Place", "स्थान"),
    "notified": ("Notified", "सूचित"),
    "status": ("Status", "स्थिति"),
    "unknown": ("not known yet", "अभी ज्ञात नहीं"),
    "place_review": ("needs review", "जाँच आवश्यक"),
    "place_conflict": ("alerts disagree on the place", "अलर्ट में स्थान अलग-अलग"),
    "case_place": ("Place of the case", "केस का स्थान"),
    "nobody": ("nobody yet", "अभी किसी को नहीं"),
    "open": ("Open", "खोलें"),
    "subject": ("Person", "व्यक्ति"),
    "name": ("Name", "नाम"),
    "handle": ("Account", "अकाउंट"),
    "phone": ("Phone", "फ़ोन"),
    "email": ("Email", "ईमेल"),
    "profile": ("Profile", "प्रोफ़ाइल"),
    "alerts": ("Alerts", "अलर्ट"),
    "received_at": ("Received", "प्राप्त"),
    "location_given": ("Location given", "दिया गया स्थान"),
    "caller": ("Caller", "कॉल करने वाले"),
    "attachments": ("Attachments", "संलग्नक"),
    "assessment": ("Risk assessment", "जोखिम आकलन"),
    "no_assessment": ("Not assessed yet.", "अभी आकलन नहीं हुआ।"),
    "cues": ("Cues", "संकेत"),
    "confirm_level": ("Confirm or correct the level", "स्तर की पुष्टि या सुधार करें"),
    "location": ("Location", "स्थान"),
    "candidates": ("Candidates", "संभावित स्थान"),
    "evidence": ("Evidence", "साक्ष्य"),
    "confidence": ("confidence", "विश्वास"),
    "choose": ("Choose", "चुनें"),
    "district": ("District", "ज़िला"),
    "no_district": ("— district —", "— ज़िला —"),
    "jurisdiction": ("Jurisdiction", "क्षेत्राधिकार"),
    "timeline": ("Timeline", "घटनाक्रम"),
    "notes": ("Notes", "टिप्पणियाँ"),
    "add_note": ("Add note", "टिप्पणी जोड़ें"),
    "actions": ("Actions", "कार्रवाई"),
    "record_location": ("Record location", "स्थान दर्ज करें"),
    "request_trace": ("Request STF trace", "STF ट्रेस का अनुरोध"),
    "dispatch": ("Dispatch to units", "इकाइयों को भेजें"),
    "units": ("Units (comma-separated)", "इकाइयाँ (कॉमा से अलग)"),
    "acknowledge": ("Acknowledge", "पावती दें"),
    "on_scene": ("Officers on scene", "अधिकारी मौके पर"),
    "outcome": ("Record outcome", "परिणाम दर्ज करें"),
    "reason": ("Reason", "कारण"),
    "dismiss": ("Dismiss", "ख़ारिज करें"),
    "hand_over": ("Hand over to another state", "दूसरे राज्य को सौंपें"),
    "state": ("State", "राज्य"),
    "close": ("Close case", "केस बंद करें"),
    "outreach": ("Outreach: replies to send the person", "संपर्क: व्यक्ति को भेजने के संदेश"),
    "copy_text": ("Copy", "कॉपी करें"),
    "copied": ("Copied", "कॉपी हो गया"),
    "done": ("Done", "हो गया"),
    "failed": ("Could not do that", "यह नहीं हो सका"),
    "forbidden": ("Not allowed", "अनुमति नहीं"),
    "not_found": ("Not found", "नहीं मिला"),
    "back": ("Back to the queue", "कतार पर वापस"),
    # refused input and outages
    "invalid_form": (
        "Some of what was entered cannot be used. Correct it and send again:",
        "दर्ज की गई कुछ जानकारी उपयोग नहीं की जा सकती। उसे ठीक करके फिर भेजें:",
    ),
    "unsafe_text": (
        "contains a control character (such as a NUL byte) that cannot be stored; remove it",
        "इसमें ऐसा नियंत्रण वर्ण (जैसे NUL बाइट) है जिसे सहेजा नहीं जा सकता; उसे हटाएँ",
    ),
    "date_out_of_range": (
        "the date must be between 1970 and 2100, with a time zone",
        "तारीख़ 1970 और 2100 के बीच, समय क्षेत्र के साथ होनी चाहिए",
    ),
    "too_long": ("is too long", "बहुत लंबा है"),
    "required": ("is required", "आवश्यक है"),
    "bad_value": ("is not a valid value", "मान्य मान नहीं है"),
    "unavailable": ("The database is unavailable", "डेटाबेस उपलब्ध नहीं है"),
    "unavailable_help": (
        "Nothing was saved. Try again in a minute; if this lasts, call the technical team "
        "and take alerts by phone and on paper meanwhile.",
        "कुछ भी सहेजा नहीं गया। एक मिनट बाद फिर कोशिश करें; अगर यह बना रहे, तो तकनीकी टीम को "
        "फ़ोन करें और तब तक अलर्ट फ़ोन और काग़ज़ पर लें।",
    ),
    "retry_in": ("Try again in (seconds)", "इतने सेकंड बाद फिर कोशिश करें"),
    "call_received_at": ("Call received at (IST)", "कॉल का समय (IST)"),
    "platform": ("Platform", "प्लेटफ़ॉर्म"),
    "reference": ("Platform reference", "प्लेटफ़ॉर्म संदर्भ"),
    "organisation": ("Organisation", "संस्था"),
    "callback": ("Call-back number", "वापस कॉल नंबर"),
    "what_said": ("What the caller said", "कॉल करने वाले ने क्या कहा"),
    "post_text": ("Post text", "पोस्ट का पाठ"),
    "address": ("Address or place", "पता या स्थान"),
    "pin": ("PIN code", "पिन कोड"),
    "submit_alert": ("Record alert", "अलर्ट दर्ज करें"),
    "min": ("min", "मिनट"),
    "signed_in_as": ("Signed in as", "साइन इन:"),
    "minimal_note": (
        "Only the details needed to act are shown.",
        "कार्रवाई के लिए ज़रूरी जानकारी ही दिखाई गई है।",
    ),
    "response_times": ("Minutes from alert", "अलर्ट से मिनट"),
    # dispatch, escalation and SMC alarms
    "notifications": ("Notifications", "सूचनाएँ"),
    "no_dispatch": ("Not sent to any unit yet.", "अभी किसी इकाई को नहीं भेजा गया।"),
    "confirm_dispatch": ("Confirm and dispatch", "पुष्टि करें और भेजें"),
    "sender_verified": ("Sender verified", "प्रेषक सत्यापित"),
    "sender_unverified": ("Sender not verified", "प्रेषक सत्यापित नहीं"),
    "sender_unverified_help": (
        "Nothing proves this email came from the partner it names (a forged sender, or a "
        "forwarder broke its signature). It is not dispatched until an operator confirms.",
        "कुछ भी साबित नहीं करता कि यह ईमेल उसी पार्टनर से आया जिसका नाम इसमें है (नकली प्रेषक, "
        "या किसी फ़ॉरवर्डर ने हस्ताक्षर तोड़ दिया)। ऑपरेटर की पुष्टि तक इसे नहीं भेजा जाएगा।",
    ),
    "plan": ("Who would be notified", "किसे सूचित किया जाएगा"),
    "plan_none": ("No unit found to send this case to.", "इस केस को भेजने के लिए कोई इकाई नहीं मिली।"),
    "rule": ("Rule", "नियम"),
    "policy": ("Escalation policy", "एस्केलेशन नीति"),
    "contacts": ("Contacts", "संपर्क"),
    "contacts_of": ("contacts of", "इनके संपर्क:"),
    "problems": ("Needs attention", "ध्यान दें"),
    "other_units": (
        "Or these units instead (registry ids, comma-separated)",
        "या इनकी जगह ये इकाइयाँ (रजिस्ट्री आईडी, कॉमा से अलग)",
    ),
    "trace_purpose": ("STF trace", "STF ट्रेस"),
    "already_sent": ("already sent: not sent again", "पहले ही भेजा गया: दोबारा नहीं भेजा जाएगा"),
    "next_step_at": ("next step", "अगला चरण"),
    "by": ("by", "द्वारा"),
    "via": ("via", "माध्यम"),
    "attempts": ("attempts", "प्रयास"),
    "ds_active": ("Waiting for acknowledgement", "पावती की प्रतीक्षा"),
    "ds_acknowledged": ("Acknowledged", "पावती मिली"),
    "ds_stopped": ("Stopped", "रोका गया"),
    "ds_exhausted": ("No answer: SMC alarmed", "कोई जवाब नहीं: SMC को चेतावनी"),
    "ns_queued": ("Sending", "भेजा जा रहा है"),
    "ns_delivered": ("Delivered", "पहुँचा"),
    "ns_failed": ("Not delivered", "नहीं पहुँचा"),
    "ns_withdrawn": ("Not sent: dispatch ended", "नहीं भेजा: डिस्पैच समाप्त"),
    "alarm": ("SMC alarm", "SMC चेतावनी"),
    "alarms_open": (
        "No unit has taken these cases: call them now",
        "इन केसों को किसी इकाई ने नहीं लिया: अभी फ़ोन करें",
    ),
    # the acknowledgement page an officer opens from a message (no sign-in)
    "ack_title": ("Acknowledge a case", "केस की पावती दें"),
    "ack_unit": ("Your unit", "आपकी इकाई"),
    "ack_question": (
        "Confirm that your unit is taking this case",
        "पुष्टि करें कि आपकी इकाई यह केस ले रही है",
    ),
    "ack_name": ("Your name and rank (optional)", "आपका नाम और पद (वैकल्पिक)"),
    "ack_button": ("Confirm", "पुष्टि करें"),
    "ack_done": (
        "Thank you. The SMC now knows your unit is taking this case.",
        "धन्यवाद। SMC को अब पता है कि आपकी इकाई यह केस ले रही है।",
    ),
    "ack_care": (
        "Please reach the person quickly and speak with care: they need help, not blame.",
        "कृपया जल्दी व्यक्ति तक पहुँचें और संवेदना से बात करें: उन्हें मदद चाहिए, दोष नहीं।",
    ),
    "ack_acknowledged": (
        "This case has already been acknowledged for your unit.",
        "आपकी इकाई के लिए इस केस की पावती पहले ही दी जा चुकी है।",
    ),
    "ack_settled": (
        "This case no longer needs acknowledging: officers have reached the person, or it "
        "is closed.",
        "इस केस की पावती की अब ज़रूरत नहीं: अधिकारी व्यक्ति तक पहुँच चुके हैं, या केस बंद है।",
    ),
    "ack_ended": (
        "The SMC has stopped asking your unit about this case.",
        "SMC ने इस केस के लिए आपकी इकाई से पूछना बंद कर दिया है।",
    ),
    "ack_alarm": (
        "This message was an alarm for the SMC: there is nothing to acknowledge.",
        "यह संदेश SMC के लिए चेतावनी था: इसकी पावती नहीं दी जाती।",
    ),
    "ack_expired": ("This link has expired.", "यह लिंक समाप्त हो चुका है।"),
    "ack_invalid": (
        "This link is not valid (damaged or incomplete).",
        "यह लिंक मान्य नहीं है (टूटा हुआ या अधूरा)।",
    ),
    "ack_origin": (
        "The confirmation did not come from this page. Open the link from your message again.",
        "पुष्टि इस पेज से नहीं आई। अपने संदेश से लिंक फिर से खोलें।",
    ),
    "ack_other_ways": (
        "You can also reply to the SMS with ACK and the code in it, or call the SMC.",
        "आप SMS का उत्तर ACK और उसमें दिए कोड से भी दे सकते हैं, या SMC को फ़ोन करें।",
    ),
    "ack_call": ("Call the SMC", "SMC को फ़ोन करें"),
    "ack_at": ("Acknowledged at", "पावती का समय"),
    # the map and the dashboard
    "map": ("Map", "मानचित्र"),
    "map_summary": (
        "Open cases and today's outcomes (IST) over the districts, coloured by risk",
        "ज़िलों पर खुले केस और आज (IST) के परिणाम, जोखिम के रंग में",
    ),
    "map_keys": (
        "Each case is a link: Tab moves between them, Enter opens the case.",
        "हर केस एक लिंक है: Tab से आगे बढ़ें, Enter से केस खोलें।",
    ),
    "legend": ("Legend", "संकेत-सूची"),
    "open_case": ("Open case (circle)", "खुला केस (गोला)"),
    "todays_outcome": ("Outcome recorded today (square)", "आज दर्ज परिणाम (वर्ग)"),
    "shade_note": (
        "A district's shade is the highest risk assessed among its open cases (not assessed: "
        "none assessed yet).",
        "ज़िले का रंग उसके खुले केसों में आँका गया सबसे ऊँचा जोखिम दिखाता है (आकलन नहीं: अभी किसी का आकलन नहीं)।",
    ),
    "scoped_note": (
        "Only your jurisdiction's cases are shown.",
        "केवल आपके क्षेत्राधिकार के केस दिखाए गए हैं।",
    ),
    "open_cases": ("Open cases", "खुले केस"),
    "outcomes_today": ("Outcomes today", "आज के परिणाम"),
    "no_cases_map": ("No open cases and no outcomes today.", "कोई खुला केस नहीं, आज कोई परिणाम नहीं।"),
    "on_map": ("On the map", "मानचित्र पर"),
    "exact": ("at the alert's coordinates", "अलर्ट के निर्देशांक पर"),
    "around_centre": ("around the district centre", "ज़िले के केंद्र के आसपास"),
    "not_on_map": ("not on the map: no district yet", "मानचित्र पर नहीं: अभी ज़िला नहीं"),
    "opened": ("Opened", "खोला गया"),
    "outcome_label": ("Outcome", "परिणाम"),
    "outcomes": ("Outcomes", "परिणाम"),
    "no_outcome_yet": ("No outcome yet", "परिणाम बाकी"),
    "as_of": ("As of", "इस समय तक"),
    "highest_risk": ("highest risk", "सबसे ऊँचा जोखिम"),
    "legend_counts": ("(n): open cases at that risk", "(n): उस जोखिम के खुले केस"),
    "dashboard": ("Dashboard", "डैशबोर्ड"),
    "today": ("Today", "आज"),
    "this_month": ("This month", "इस महीने"),
    "period": ("Period", "अवधि"),
    "figure": ("Figure", "आँकड़ा"),
    "alerts_outcomes": ("Alerts and outcomes", "अलर्ट और परिणाम"),
    "by_source": ("Alerts by source", "स्रोत के अनुसार अलर्ट"),
    "count": ("Cases", "केस"),
    "alert_count": ("Alerts", "अलर्ट"),
    "distribution": (
        "Response times: cases in each band of minutes",
        "प्रतिक्रिया समय: मिनटों के हर खंड में केस",
    ),
    "by_district": ("Response times by district (minutes)", "ज़िलेवार प्रतिक्रिया समय (मिनट)"),
    "step": ("Step", "चरण"),
    "minutes": ("Minutes", "मिनट"),
    "median": ("Median (p50)", "माध्यिका (p50)"),
    "ninetieth": ("90th percentile (p90)", "90वाँ प्रतिशतक (p90)"),
    "no_data": ("No cases in this period yet.", "इस अवधि में अभी कोई केस नहीं।"),
    "chart_alt": (
        "Chart; the table below has the same figures.",
        "चार्ट; नीचे की तालिका में यही आँकड़े हैं।",
    ),
    "dashboard_method": (
        "Cases opened in the period (IST days), drills left out, counted as in reports: times "
        "between the first time each milestone was reached ('police notified': a unit's first "
        "message delivered, not the decision to dispatch); p50 and p90 by nearest rank, each "
        "the time of a real case (linked).",
        "अवधि में खुले केस (IST दिन), ड्रिल छोड़कर, रिपोर्ट की तरह गिने गए: हर पड़ाव पहली बार "
        "पहुँचने के समयों के बीच का अंतर ('पुलिस को सूचना': किसी इकाई को पहला संदेश पहुँचना, "
        "भेजने का निर्णय नहीं); p50 और p90 निकटतम रैंक से, हर एक किसी वास्तविक केस का समय (लिंक)।",
    ),
    "charts_off": (
        "Charts need JavaScript; every figure is in the tables.",
        "चार्ट के लिए JavaScript चाहिए; सभी आँकड़े तालिकाओं में हैं।",
    ),
}


def _joined(*tables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for table in tables:
        twice = out.keys() & table.keys()
        if twice:
            raise ValueError(f"console strings defined twice: {sorted(twice)}")
        out.update(table)
    return out


#: every key a template may use as `t.key`
STRINGS = _joined(
    _CORE,
    attention.STRINGS,
    contacts.STRINGS,
    counsellor.STRINGS,
    desk.STRINGS,
    field.STRINGS,
    floor.STRINGS,
    hold.STRINGS,
    quarantine.STRINGS,
    reports.STRINGS,
    review.STRINGS,
    subject.STRINGS,
)

SLA: dict[str, tuple[str, str]] = {
    "acknowledged": ("Acknowledged", "पावती मिली"),
    "ok": ("Waiting", "प्रतीक्षा"),
    "due": ("Due soon", "जल्द देय"),
    "breached": ("Overdue", "विलंबित"),
}

#: ready replies, shown in both languages whatever the console's language (the person may
#: read either); care framing, no blame (Mental Healthcare Act 2017, s.115)
REPLIES: tuple[tuple[str, str], ...] = (
    (
        "We saw your post and we are worried about you. You are not alone. Please call "
        "Tele-MANAS on 14416 (free, 24x7) to talk to someone now. If you are in danger, "
        "call 112.",
        "हमने आपकी पोस्ट देखी और हमें आपकी चिंता है। आप अकेले नहीं हैं। अभी किसी से बात करने "
        "के लिए टेली-मानस 14416 (निःशुल्क, 24x7) पर कॉल करें। अगर आप ख़तरे में हैं, तो 112 "
        "पर कॉल करें।",
    ),
    (
        "Help is on the way. Please stay where you are and keep your phone on. You can "
        "call 112 at any time.",
        "मदद आ रही है। कृपया जहाँ हैं वहीं रहें और फ़ोन चालू रखें। आप कभी भी 112 पर कॉल कर सकते हैं।",
    ),
    (
        "Whatever you are going through, people want to help. Tele-MANAS 14416 has "
        "counsellors in Hindi and English, day and night.",
        "आप जिस भी मुश्किल से गुज़र रहे हैं, लोग आपकी मदद करना चाहते हैं। टेली-मानस 14416 "
        "पर दिन-रात हिंदी और अंग्रेज़ी में परामर्शदाता उपलब्ध हैं।",
    ),
)


def pick(table: dict[str, tuple[str, str]], key: str | None, lang: str) -> str:
    en, hi = table.get(key or "", table.get("", (key or "", key or "")))
    return hi if lang == "hi" else en


#: each language's table, built once (STRINGS is fixed at import; every page and every alarm
#: line asks for one)
_TABLES: dict[str, Mapping[str, str]] = {}


def translator(lang: str) -> Mapping[str, str]:
    """Every console string in `lang` (Hindi for "hi", English otherwise): one shared, read-only
    table per language."""
    lang = "hi" if lang == "hi" else "en"
    table = _TABLES.get(lang)
    if table is None:
        built = {key: (hi if lang == "hi" else en) for key, (en, hi) in STRINGS.items()}
        table = _TABLES[lang] = MappingProxyType(built)
    return table


def ist(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(IST).strftime(fmt) + " IST"


def minutes_since(value: datetime | None, now: datetime) -> int:
    return int((now - value).total_seconds() // 60) if value else 0
