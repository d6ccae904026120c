# ruff: noqa: E501  (one pattern per line reads better than patterns split mid-alternation)
"""The cue lexicon: for each tag, regular expressions in English, romanised Hindi and Devanagari.

Patterns are written in ordinary spelling and matched against a squeezed view of the post
(case-folded, apostrophes dropped, punctuation runs as one space, doubled Latin letters single,
Devanagari without nukta or anusvara and with long ī/ū read short; see cues.py), so "I'm going
toooo", "im going to" and "Im  going to" all match "im going to", and नहीं/नही both match नहीं.
Each alternative must match whole words; `\\w*` allows a suffix (Devanagari signs included).

Tags reported to the operator:
  method       a means of suicide (fan/pankha, rope/rassi/dupatta, poison/zeher/sulphas, pills
               and medicines, railway track, river/bridge/well, rooftop, wrist/nas, fire)
  time         when: now, tonight, aaj raat, abhi, in ten minutes, tomorrow, after the results
  farewell     goodbye, last post, forgive me, take care of maa, don't remember me
  live         a live video or stream
  intent       a decision, plan or preparation: I've decided, I'm going to, kar lunga, tay kar
               liya, plan kar liya, karne wala hu, saving pills, giving things away, researching
  attempt      an act under way or done: I took the pills, zeher kha liya, on the bridge now
  ideation     wanting to die or not to live
  suicide      the words themselves: suicide, kill myself, aatmhatya, khudkushi
  hopelessness hopelessness, burden, nobody cares, can't take it any more
  negation     a risk act denied: "I won't do anything", "not suicidal", "mazaak tha"
  third_party  someone else is at risk or did it: my friend, mera dost, usne
  idiom        death words used figuratively: mar gaya hasi se, this exam is killing me
  news         reporting: police said, khabar, NCRB figures
  support      helplines, help offered, recovery told in the past: Tele-MANAS 14416, therapy
  threat       a threat against someone else: tujhe maar dunga, I'll kill you
  curse        death wished on someone else: tu mar ja, bhagwan kare tu mar jaye, go die
Subject tags (reported as `subject_cues`, SUBJECT_TAGS):
  person       a particular other person: my brother, mera dost, not picking up, उसका फोन
  memorial     a death remembered: RIP, barsi, श्रद्धांजलि
  helper       help offered to readers: I've been there, DM me, call 14416
  recovery     the author's risk in the past: years ago, saal pehle, today I'm a nurse
  quote        lyrics, shayari, quotes: song, gaana, शायरी
Internal (features only, not reported): self (first person), death (any word for dying),
now (within hours: abhi, tonight, in ten minutes) and later (days away: kal, this week, after
the results) — the `time` spans split by how soon, which is what separates imminent from intent
— and future (a bare future verb: karunga, jaungi, I'll), which is intent only beside a means
or a death word (a feature conjunction), not on its own ("Bangalore shift ho jaungi"), and
everyday (a site, portal, shop or train down or shut, results-day logistics, a phone whose
battery died: "result ki site band hai", "result aaj aayega", "phone band ho gaya, charging nahi
ho rahi").

A cue inside a negation span ("suicide *nahi karunga*", "*I'm not going to kill myself*") is
dropped (cues.py): the negation is what the post says.
"""

from __future__ import annotations

_ME = r"(?:i|im|i am|ive|i have|ill|i will|main|mai|mein|me|maine|mene)"
_NAHI = r"(?:nahi|nhi|nai|nahin|ni|na)"
#: English means that are swallowed or drunk, and the verbs for doing it
_DOSE_EN = r"(?:pills?|tablets?|meds|medicines?|poison|pesticide|sulphas|sulfas|celphos|paracetamol|painkillers?|acid|phenyl|bottle)"
_TOOK_EN = r"(?:took|taken|swallowed|drank|drunk|had|ate|eaten|popped|consumed|overdosed on)"
_DOSE_HL = r"(?:zeh[ea]r|jeh[ea]r|zahar|jahar|sulphas|celphos|vish|goli\w*|dawa\w*|dawai\w*|tablet\w*|pesticide|keetnashak|kitnashak|tezaab|tezab|medicine\w*)"
_DOSE_HI = r"(?:जहर|ज़हर|विष|सल्फास|गोली|गोलियां|दवा\w*|दवाई\w*|दवाइयां|टैबलेट\w*|कीटनाशक|तेज़ाब)"
#: places people jump or lie down at
_PLACE_EN = r"(?:bridge|roof|rooftop|edge|ledge|tracks?|terrace|railing|river|cliff|balcony|canal|well|ghat)"
_PLACE_HL = r"(?:pul|bridge|patri|track|chhat|terrace|railing|diwar|diwaar|munder|mundher|kuan|kuye|kuyen|kuen|nadi|nahar|building|kinare|kinaare)"
_PLACE_HI = r"(?:पुल|पटरी|ट्रैक|छत|रेलिंग|दीवार|मुंडेर|कुएं|कुआं|नदी|नहर|बिल्डिंग|किनारे)"

#: within hours: what turns a plan into an emergency
NOW = [
    r"tonight|tonite|right now|rn|now|today|this (?:evening|night|morning|afternoon)",
    r"in (?:a few|few|\d+|ten|five|two|fifteen|twenty|thirty) (?:minutes|mins|min|hours|hrs|seconds|secs)",
    r"(?:a few|\d+|ten|five|two) (?:minutes|mins|min) (?:from now|left|away)|minutes left",
    r"before (?:sunrise|morning|midnight|dawn)|by tomorrow morning|(?:at )?midnight",
    r"at \d+(?: ?(?:am|pm))?|\d+ ?(?:am|pm)|in a (?:little|short) while|any (?:minute|moment) now",
    r"(?:it|everything) (?:all )?ends(?: today| tonight| now)?|(?:wont|will not) see (?:tomorrows? |the )?(?:sunrise|morning)|(?:wont|will not) see tomorrow",
    r"aaj raat|aaj rat|aaj ki raat|aaj|aj|abhi|abi|abhi abhi|abhi ke abhi|is waqt|isi waqt|turant|raat ko|rat ko",
    r"thodi der(?: mein| me| main| baad)?|kuch der(?: mein| me| baad)?|kuch hi (?:der|minute|ghante)",
    r"\d+ (?:min|mins|minute|minat|ghante|ghanta) (?:mein|me|main|baad|hai|bache|door|dur)|\d+ baje|aakhri raat|akhri raat|subah tak|(?:kal|subah) ka suraj",
    r"आज रात|आज की रात|आज|अभी|अभी अभी|इसी वक्त|इस वक्त|तुरंत|रात को|सुबह तक|आखिरी रात|(?:कल|सुबह) का सूरज",
    r"थोड़ी देर\w*|कुछ देर\w*|कुछ ही (?:देर|मिनट|घंटे)|\d+ (?:मिनट|घंटे) (?:में|बाद|दूर)|(?:दस|पांच|दो) मिनट (?:में|बाद|दूर)|\d+ बजे",
]
#: days away
LATER = [
    r"tomorrow|tmrw|this (?:week|weekend|month)|next (?:week|month)|in (?:a few|few|\d+|two|three) (?:days|weeks)",
    r"after (?:the |my )?(?:results?|exams?|wedding|birthday|diwali|holi)|(?:the )?day (?:the )?results? come|one day|someday|some day",
    r"kal|parso|is hafte|iss hafte|agle hafte|is mahine|agle mahine|(?:do|teen|kuch|ek do) din (?:mein|me|aur|baad)",
    r"(?:result|shaadi|shadi|birthday|exam|holi|diwali|paper) ke baad|jis din|ek din|kisi din",
    r"कल|परसों|इस हफ्ते|अगले हफ्ते|इस महीने|(?:दो|तीन|कुछ) दिन (?:में|और|बाद)|(?:रिजल्ट|शादी|जन्मदिन|परीक्षा|होली|दिवाली) के बाद|जिस दिन|एक दिन|किसी दिन",
]

LEXICON: dict[str, list[str]] = {
    "method": [
        # English
        r"ceiling fan|(?:from|to|on|off|with) (?:the |a |my )?(?:ceiling )?fan",
        r"ropes?|noose|hang(?:ing|ed)? (?:myself|my self)|dupattas?|chunni|scarf|saree|bedsheet",
        r"(?:sleeping )?(?:pills?|tablets?)|meds|medicines?|paracetamol|crocin|dolo|painkillers?|antidepressants?|cough syrup",
        r"overdose|od(?:ing|d)?",
        r"(?:rat )?poison|pesticides?|insecticides?|sulphas|sulfas|celphos|phenyl|acid|toilet cleaner|baygon|mortein|hair dye",
        r"(?:railway|train|rail|metro) (?:tracks?|line)|(?:in front of|under|before) (?:a|the) (?:train|truck|bus|metro|car)",
        r"tracks",
        r"jump(?:ing|ed)? (?:off|from|in|into)",
        r"bridge|river|canal|lake|ghat|(?:the|a|village|our) well",
        r"roof|rooftop|terrace|ledge|cliff|balcony|railing|\d+(?:st|nd|rd|th)? floor",
        r"wrists?|veins?|slit\w*",
        r"razor|blades?|knife",
        r"kerosene|petrol|set myself on fire|burn myself|matchbox|matchstick|light the match",
        r"drown(?:ing)? myself|drown",
        r"gun|shoot myself",
        r"(?:car|engine) (?:is )?(?:on|running)(?: in the garage)?|locked in the car|gas (?:is )?(?:on|leaking)|(?:gas|cylinder) (?:khol|khula|khuli)\w*",
        # romanised Hindi
        r"pankh[ae]y?|pankhe|pankha",
        r"fande?|phande?|fandha|fanda|phanda|fansi|phansi|faansi|phaansi",
        r"rass[ie]|rassa|dupatt[ae]|chunni|saree se|sari se|chadar",
        r"zeh[ea]r|jeh[ea]r|zahar|jahar|vish|keeda maar\w*|keede maar\w*|chuh[ae] maar\w*|keetnashak|kitnashak|tezaab|tezab",
        r"neend ki goli\w*|goliy[ae]n?|goliya|dawai\w*|dawa|tablet\w*",
        r"patri|patriyo\w*|(?:train|truck|bus|gaadi|gadi) ke (?:aage|age|neeche|niche|samne|saamne)",
        r"nad[iy]|nahar|nehar|ganga|yamuna|gomti|sangam|ghat|pul|kuan|kuaan|kuyen|kuye|kuen|talab|taalab|samundar",
        r"chhat (?:se|pe|par|ke|per|pr)|building se|terrace se",
        r"kood\w*|kud(?:na|ne|ke|unga|ungi|jaunga|jaungi)?",
        r"nas|nass|nasen|kalai",
        r"blade|chaku|chaaku|chhuri|ustra|ustara",
        r"aag|mitti ka tel|mitti tel|kerosene|petrol|maachis|machis",
        r"latak\w*|lataka\w*",
        # Devanagari
        r"पंख[ाे]|पंखें",
        r"फंद[ाे]|फांसी|फाँसी|फासी",
        r"रस्सी|रस्सा|दुपट्ट[ाे]|चुन्नी|साड़ी|चादर",
        r"जहर|ज़हर|विष|सल्फास|कीटनाशक|चूहे मार\w*|कीड़े मार\w*|तेज़ाब",
        r"नींद की गोलि\w*|गोलियां|गोलियाँ|गोली|दवाइयां|दवाई|दवा|टैबलेट\w*|पैरासिटामोल",
        r"रेल(?:वे)? (?:ट्रैक|लाइन|पटरी)|पटरी|(?:ट्रेन|ट्रक|बस|गाड़ी) के (?:आगे|नीचे|सामने)",
        r"नदी|नहर|गंगा|यमुना|गोमती|संगम|घाट|पुल|कुआं|कुएं|कुंए|तालाब|समुद्र",
        r"छत|बिल्डिंग|रेलिंग|बालकनी",
        r"कूद\w*",
        r"नस|नसें|कलाई",
        r"ब्लेड|चाकू|छुरी|उस्तरा",
        r"गैस (?:खोल|खुली)\w*|(?:सिलेंडर|गाड़ी) (?:खोल|चालू)\w*",
        r"आग|मिट्टी का तेल|केरोसिन|पेट्रोल|माचिस",
        r"लटक\w*",
    ],
    "time": [*NOW, *LATER],
    "farewell": [
        r"good ?bye|goodbye|bye|byee|bye bye|farewell|tata bye",
        r"(?:last|final) (?:post|message|msg|words|goodbye|time|night|status|video|selfie|day)",
        r"this is (?:it|the end|goodbye)|(?:suicide|goodbye) (?:note|letter)",
        r"(?:im|i am) sorry (?:mom|mum|mother|dad|papa|maa|mummy|mumma|everyone)|sorry (?:mom|mum|mumma|mummy|papa|dad|everyone)",
        r"tell my (?:mom|mum|parents|family|sister|brother)|take care of (?:my )?(?:mom|mum|dog|family|sister|parents|maa|mummy|papa)",
        r"forgive me|wont be (?:here|around)|see you (?:on the other side|in another life)|(?:dont|do not) (?:remember|miss) me|forget me",
        r"if (?:anything|something) happens to me|agar (?:mujhe|muje) kuch ho (?:jaye|jaaye|gaya)|अगर मुझे कुछ हो|remember me|love you all|rip me|(?:thank you|thanks) for everything|it was nice knowing|after im gone",
        r"alvida|alvidaa|bye bye (?:sabko|sab|duniya)|aakhri|akhri|aakhiri|last (?:post|baar|bar|msg|message)|sambhal lena|handle everything|take care of everything",
        r"maaf (?:karna|krna|kar dena|kr dena|karo|kar do)|maafi|mujhe maaf",
        r"sorry (?:maa|mummy|mumma|mom|papa|pappa|mummy papa|sabko)",
        r"(?:khayal|khyal|dhyan) rakhna|yaad (?:rakhna|karna)|(?:mujhe|muje) yaad (?:na|mat) (?:karna|kare|karein|karo)|bhool jana",
        r"note likh\w*|chitthi|phir (?:nahi|nhi) milenge|agle janam|upar milenge",
        r"bye (?:dosto|doston|friends|sab|sabko|everyone|world|duniya|forever)|last (?:selfie|salaam|salam)|aakhri salaam",
        r"(?:dont|do not|mat) (?:look for|dhoondna|dhundna|dhundhna) me|mujhe mat (?:dhoondna|dhundna|dhundhna)",
        r"by the time (?:you|u|anyone|someone|they) reads? this|jab tak (?:\w+ ){0,3}padh\w* tab tak|जब तक (?:\S+ ){0,3}पढ़\S* तब तक",
        r"(?:im |i am )?(?:not|never) coming back|wapas (?:nahi|nhi) (?:aaunga|aaungi|aunga|aungi|aaoonga)|(?:लौटकर|वापस) नहीं (?:आऊंगा|आऊंगी)",
        r"(?:give|de dena) (?:my|mera|meri)|(?:meri|mera|mere) (?:\w+ ){1,8}(?:ko )?de dena|(?:my )?will is (?:ready|made|written)|hamesha ke liye (?:sukoon|sukun|chain)|mere (?:baad|jaane ke baad|marne ke baad)",
        r"(?:dont|do not|mat) blame|kisi ko dosh mat|koi zimmedar nahi|nobody is responsible|i love you all",
        r"अलविदा|आखिरी|आख़िरी|अंतिम (?:पोस्ट|संदेश|बार)|माफ (?:करना|कर देना|करो)|माफी|मुझे माफ",
        r"बाय|बाय बाय|टाटा|संभाल लेना|सॉरी (?:मम्मी|पापा|मां|माँ|सबको)|ख्याल रखना|ध्यान रखना|सुसाइड नोट|अगले जन्म|चिट्ठी|(?:मुझे )?याद (?:न|मत) (?:करना|करें|करो)",
        r"(?:मेरी|मेरा|मेरे) (?:\S+ ){1,8}(?:को )?दे देना|हमेशा के लिए (?:सुकून|चैन)|फिर नहीं मिलेंगे|मुझे मत (?:ढूंढना|ढूँढना)|मेरे (?:बाद|जाने के बाद|मरने के बाद)|दोष मत|ज़िम्मेदार कोई नहीं",
    ],
    "live": [
        r"(?:going|im|i am|am|coming) live|live (?:video|stream|streaming|now|aa\w*|dekho|dekhna|par|pe)",
        r"facebook live|fb live|insta live|instagram live|watch me|streaming",
        r"live aa (?:raha|rahi|rha|rhi|gaya)|live (?:hu|hoon|aaya|aayi)",
        r"लाइव",
    ],
    "intent": [
        rf"{_ME} (?:am )?(?:going to|gonna|about to) (?:kill|end|die|do it|jump|hang|take|cut|drink)|about to (?:jump|die|do it|end it|hang|kill)",
        r"(?:ive|i have) decided|made up my mind|my (?:decision|mind) is (?:made|final)|decided to|its (?:all )?decided",
        r"i will (?:kill|end|die|do it|jump|hang)|ill (?:kill|end|do it|jump|hang)",
        r"planning (?:to|my|it)|(?:my |the )?plan (?:is|to)|i have a plan|have it planned|its (?:all )?planned|planned (?:how|it)",
        r"(?:bought|got|saved|collected|stocked|ordered|kept|keeping|hid|hidden) (?:\w+ ){0,3}(?:pills|rope|poison|tablets|pesticide|blades?|sulphas)",
        r"(?:wrote|written|writing) (?:a |my )?(?:note|letter|letters|will|messages? for)",
        r"(?:then |and then )?(?:its|it will be|itll be|itll all be|it will all be) (?:all )?over|(?:after that|then) (?:im|i am|ill be|i will be) gone|(?:i will|ill) be dead",
        r"(?:is|will be) (?:the|my) (?:day|night) (?:i|ill|im)|(?:day|night|when) i (?:end it|do it|go)|will be my last (?:day|night)|no (?:going|turning) back|its time|my time has come|(?:nobody|no one) can stop me|(?:dont|do not) (?:try to )?stop me",
        r"(?:given|giving|gave) away (?:all )?(?:my )?(?:things|stuff|belongings)",
        r"(?:checked|searched) (?:the )?(?:train|timings|how (?:many|much|to))|how (?:many|much) \w+ (?:to die|does it take)",
        r"(?:saving|saved|collecting|collected|hid|hidden|hiding|stockpiling) (?:up )?(?:my |the |some )?(?:pills|tablets|rope|poison|pesticide|blades?)",
        r"(?:im|i am) (?:killing myself|ending (?:it|my life|everything)|doing it)|(?:wont|will not|wouldnt) be (?:here|around|alive|there)|(?:im|i am) leaving (?:forever|this world)",
        r"made (?:my|the|a) (?:decision|choice)|(?:dont|do not) call (?:the )?(?:police|anyone)|(?:police|kisi) ko mat (?:bulana|bulao|batana)|पुलिस को मत (?:बुलाना|बताना)",
        r"(?:checking|checked|looking up|looked at) (?:the )?(?:timings?|schedule|time table)|(?:nobody|no one) (?:will|would) (?:be )?(?:bothered|troubled) by me|koi (?:\w+ )?pareshaa?n (?:nahi|nhi) hoga|कोई (?:\S+ )?परेशान नहीं होगा",
        r"i (?:know|knew) what (?:ill|i will|im going to|i have to) do|i chose this|(?:my|by my) own (?:choice|decision)|(?:nobody|no one) will find me",
        r"this time (?:i wont|i will|i wont be saved|nobody)|(?:cant|wont) (?:hold on|stop) (?:this time|anymore)",
        r"(?:last|final) (?:day|night) (?:in|on) (?:this )?(?:world|earth)|left (?:a |my )?(?:note|letter)|(?:is|iss) duniya (?:me|mein) (?:aakhri|akhri|last) (?:din|raat)|इस दुनिया में (?:आखिरी|अंतिम) (?:दिन|रात)",
        r"(?:train|gaadi)\w*(?: \w+){0,3} (?:aati|guzarti|nikalti)(?: \w+){0,4} pata (?:kar|kr) (?:liya|li|lia)|pata (?:kar|kr) (?:liya|li|lia)(?: \w+){0,3} (?:kaunsi|kaun si|kitne baje) (?:train|gaadi)",
        r"ट्रेन(?: \S+){0,3} (?:आती|गुजरती|निकलती)(?: \S+){0,4} पता कर (?:लिया|ली)|पता कर (?:लिया|ली)(?: \S+){0,3} (?:कौन सी|कितने बजे) ट्रेन",
        r"(?:ye |yeh )?(?:faisla|faisala) (?:mera|meri marzi)|(?:ये |यह )?फैसला मेरा|suraj (?:nahi|nhi) dekh(?:unga|ungi|ega|egi)|सूरज नहीं देख(?:ूंगा|ूंगी|ेगा|ेगी)",
        r"(?:picked|chosen|chose|set|fixed) (?:a |the )?date|finish what i started|(?:i )?know exactly (?:how|when|where)|who gets what|about to (?:step off|let go)",
        # romanised Hindi
        r"(?:suicide|khudkushi|aatmhatya|atmahatya) (?:kar|kr) (?:lunga|lungi|lu|lun)|(?:latak|kood|kud|lat|mar) (?:jaunga|jaungi|jaoonga|jaaunga)|(?:khud|apne aap) ko (?:\w+ )?(?:kar|kr) (?:dunga|dungi|lunga|lungi)",
        r"(?:khatam|khtm) (?:kar|kr) (?:dunga|dungi|lunga|lungi|du|dun|raha|rahi|rha|rhi|doonga)",
        r"(?:phir|fir|uske baad|then) (?:sab |sb )?(?:khatam|khtm)|(?:sab |sb )?(?:khatam|khtm) ho (?:jayega|jaega|jaayega|jayegi)",
        r"decide (?:kar|kr) (?:liya|lia|li)|faisla (?:kar |kr |le )?(?:liya|lia|li)|faisla pakka|tay (?:kar|kr) (?:liya|lia|li)|(?:sab|sb) tay hai",
        rf"(?:pichhe|peeche|piche) {_NAHI} (?:hatunga|hatungi|hatenge)",
        r"plan (?:bana|bna|kar|kr) (?:liya|lia|li)|(?:sab|sb) plan (?:hai|h)|soch (?:liya|lia|li) hai|than (?:liya|li)",
        r"ab bas|bas ab|bas bahut ho gaya|bahut ho gaya",
        r"(?:karne|krne|jaane|jane|marne|mrne) (?:wala|wali|vala|vali) (?:hu|hun|hoon|h)",
        r"(?:suicide|sucide|aatmhatya|atmahatya|khudkushi) (?:kar|karne|krne) (?:raha|rahi|rha|rhi|ja raha|ja rahi)",
        r"(?:rokne|rokne ki) (?:ki )?koshish (?:mat|na)|koi (?:nahi|nhi) rok (?:sakta|payega|paega|sakti)",
        rf"{_NAHI} (?:rahunga|rahungi|bachunga|bachungi|bachuga|bachugi)|(?:kudne|koodne) ki (?:baari|bari)",
        r"ja raha (?:hu|hoon|hun) (?:hamesha|humesha)|chala jaunga|chali jaungi|jaa rah[ai] (?:hu|hoon) (?:hamesha|ab)",
        r"(?:kharid|khareed|le aaya|le aayi|le aai|jama|ikattha|ikatthi|ikatha|ikathi|chhupa)\w*(?: (?:ke |kar |kr )?(?:rakh\w*|liya|li|raha|rahi|rha|rhi|di|diya))?",
        r"(?:intezaar|intazar|wait) (?:hai|kar raha|kar rahi)|sahi (?:waqt|time|mauka)|right (?:time|moment)",
        r"(?:cheezein|cheezen|saaman|saman|samaan) (?:\w+ )?baant (?:di|diya|diye|dein|raha|rahi)|baant (?:di|diya|diye) (?:hain|hai)",
        rf"is (?:baar|bar) {_NAHI} (?:bachunga|bachungi|bachuga|rukunga|rukungi|ruk paunga|ruk paungi)",
        r"(?:shishi|bottle|botal|packet|goliyan|goliya|rassi|zeher|zehar|pesticide|sulphas)(?: \w+){0,4} (?:rakh|chhupa|chupa|jama|le aaya|le aayi|kharid)\w*",
        r"(?:goli\w*|dawa\w*|tablet\w*)(?: \w+){0,2} (?:le|jama|ikatth\w*|ikath\w*) (?:kar )?(?:raha|rahi|rha|rhi)",
        r"(?:message|msg|letter|chitthi|note)\w* likh (?:diya|diye|di|liya|li|rakh\w*)",
        r"(?:date|tareekh|tarikh|din) (?:chun|fix|tay|pakki|pakka) (?:kar |kr )?(?:li|liya|lia|hai)|(?:adhoora|adhura)(?: \w+){0,6} (?:poora|pura) (?:karunga|karungi)|kisko kya milega",
        # Devanagari
        r"(?:आत्महत्या|खुदकुशी|सुसाइड) कर (?:लूंगा|लूंगी|लूं)|(?:लटक|कूद|मर) (?:जाऊंगा|जाऊंगी)|(?:खुद|अपने आप) को (?:\S+ )?कर (?:दूंगा|दूंगी|लूंगा|लूंगी)",
        r"पीछे नहीं हटूंगा|पीछे नहीं हटूंगी|(?:फिर|उसके बाद) सब खत्म|सब खत्म हो जाएगा|तय कर (?:लिया|ली)|फैसला (?:कर |ले )?(?:लिया|ली)|फैसला पक्का|ठान (?:लिया|ली)|प्लान (?:बना|कर) (?:लिया|ली)|सब तय है",
        r"सोच (?:लिया|ली) है|बस अब|अब बस|बहुत हो गया",
        r"(?:आत्महत्या|खुदकुशी|सुसाइड) (?:कर|करने) (?:रहा|रही|जा रहा|जा रही)|(?:करने|जाने|मरने) (?:वाला|वाली) हूं",
        r"रोकने की कोशिश मत|कोई नहीं रोक (?:सकता|पाएगा|सकती)",
        r"नहीं (?:रहूंगा|रहूंगी|रहूँगा|रहूँगी|बचूंगा|बचूंगी)|चला जाऊंगा|चली जाऊंगी|हमेशा के लिए जा",
        r"खत्म कर (?:रहा|रही|दूंगा|दूंगी|लूंगा|लूंगी)|(?:खरीद|जमा|इकट्ठ\w*|छुपा) (?:के|कर) रख\w*|ले (?:आया|आई) हूं|(?:जमा|इकट्ठ\w*) कर रह\w*",
        r"(?:सही|इंतज़ार|इंतजार) (?:वक्त|मौका|है)|कितनी गोलियां|(?:सामान|चीज़ें|चीजें) (?:\S+ )?बांट (?:दी|दिया|दिए)",
        r"इस बार नहीं (?:बचूंगा|बचूंगी|रुकूंगा|रुकूंगी|रुक पाऊंगा|रुक पाऊंगी)",
        r"(?:शीशी|बोतल|पैकेट|गोलियां|रस्सी|जहर|कीटनाशक|सल्फास)(?: \S+){0,4} (?:रख|छुपा|जमा|खरीद)\w*|(?:गोलि\w*|दवा\w*)(?: \S+){0,2} (?:ले|जमा|इकट्ठ\w*) (?:कर )?(?:रहा|रही)",
        r"(?:संदेश|मैसेज|चिट्ठी|नोट)(?: \S+)? लिख (?:दिया|दिए|दी|लिया|ली)|टाइम टेबल देख",
        r"(?:तारीख|दिन) (?:चुन|तय|पक्की) (?:कर )?(?:ली|लिया|है)|अधूरा(?: \S+){0,6} पूरा (?:करूंगा|करूंगी)|किसको क्या मिलेगा",
    ],
    "attempt": [
        rf"(?:(?:ive|i have|just|already|i) )?{_TOOK_EN}(?: \w+){{0,5}} {_DOSE_EN}|took (?:all|the|\d+|my|a bunch of) (?:pills|tablets|sleeping pills)",
        r"(?:cut|slit|slashed|sliced) (?:my |both )?(?:wrists?|veins?|arms?|hands?)|cut (?:deep|deeper)|(?:floor|bed|sheets?|bathroom) is (?:red|full of blood)|bleeding|blood (?:everywhere|wont stop)|cant feel my",
        rf"(?:im|i am|sitting|standing|lying|lay|waiting|parked) (?:\w+ )?(?:on|at|by|near|in front of|under|over) (?:the |a |this )?(?:\w+ )?{_PLACE_EN}",
        r"(?:rope|noose) is (?:ready|tied|up|around)|its (?:starting|kicking) in|(?:tied|knotted|fixed) (?:the )?(?:rope|noose|dupatta|scarf|saree)",
        r"(?:getting|feeling) (?:sleepy|dizzy)|stomach is burning|(?:kick|kicking) the stool|(?:poured|doused)(?: \w+){0,2} (?:kerosene|petrol)",
        r"water (?:is )?(?:up to|till|upto) my (?:chest|neck|waist|chin)|(?:one|a) (?:leg|foot) over (?:the )?(?:railing|wall|edge)|climbed over (?:the )?(?:railing|rail|wall)|took too (?:much|many)|lit the match",
        r"train (?:aa rahi|aa rhi|aane wali|is coming|aa gayi|aa gyi)|(?:lying|lay|let gaya|let gayi) (?:on|pe) (?:the )?(?:tracks?|patri)",
        rf"{_DOSE_HL}(?: \w+){{0,4}} (?:kha|pi|pee|nigal|le) (?:liya|li|lia|liye|li hai|liya hai|chuka|chuki)|nigal (?:liya|li)",
        r"(?:nas|nass|kalai|haath|hath|wrist)(?: \w+){0,3} (?:kaat|kat|kaati) (?:li|liya|di|rahi|raha|rha|rhi)|khoon (?:beh|nikal|bah|ruk) (?:rah\w*|nahi|nhi)",
        rf"{_PLACE_HL}(?: \w+){{0,4}} (?:baitha|baithi|betha|bethi|khada|khadi|khara|khari|leta|leti|let gaya|let gayi|aa gaya|aa gayi|pahunch gaya|pahunch gayi|pahuch gaya|pahuch gayi)",
        r"(?:dupatta|dupatte|rassi|rassa|fanda|phanda|chunni)(?: \w+){0,3} (?:baandh|bandh|laga|daal|dal) (?:li|di|liya|diya)|gale (?:mein|me) (?:daal|dal|laga)\w*",
        r"chakkar aa rah\w*|sar ghoom rah\w*|asar ho rah\w*|pet (?:mein|me) jalan|stool hatana|(?:jump|kud)\w* (?:ne )?wal[ai]",
        r"(?:ek )?pair (?:diwaar|diwar|railing|munder)\w* (?:ke )?(?:bahar|paar|us paar)",
        rf"(?:paani|pani) (?:seene|gale|kamar) tak|railing ke (?:us paar|bahar|upar)|(?:zyada|jyada) (?:le|kha) (?:li|liya)|(?:maachis|machis|tili) jala (?:di|li|diya)|{_DOSE_HL}(?: \w+){{0,4}} (?:kha|pi|pee|nigal) (?:gaya|gayi|gya|gyi)|(?:rassi|fanda|phanda)(?: \w+){{0,3}} lag (?:gayi|gaya|gyi|gya)|(?:gaanth|ganth) (?:baandh|bandh) (?:li|di)",
        r"(?:mitti ka tel|kerosene|petrol)(?: \w+){0,2} (?:daal|dal|chhidak) (?:liya|li)",
        rf"{_DOSE_HI}(?: \S+){{0,4}} (?:खा|पी|निगल) (?:लिया|ली|लीं|चुका|चुकी)|निगल (?:लिया|ली)",
        r"(?:नस|कलाई|हाथ)(?: \S+){0,3} काट (?:ली|लिया|दी|रहा|रही)|खून (?:बह|निकल|रुक) (?:रहा|रही|नहीं)",
        rf"{_PLACE_HI}(?: \S+){{0,4}} (?:बैठा|बैठी|खड़ा|खड़ी|लेटा|लेटी|लेट गया|लेट गई|आ गया|आ गई|पहुंच गया|पहुंच गई)",
        r"ट्रेन (?:आ रही|आने वाली)|(?:दुपट्टा|रस्सी|फंदा)(?: \S+){0,3} (?:बांध|लगा|डाल) (?:ली|लिया|दी|दिया)|गले में डाल\w*|पेट में जलन|स्टूल हटाना|कूदने (?:वाला|वाली|की)",
        r"(?:मिट्टी का तेल|केरोसिन|पेट्रोल)(?: \S+){0,2} डाल (?:लिया|ली)|चक्कर आ रह\w*|असर हो रह\w*",
        r"पैर (?:दीवार|रेलिंग|मुंडेर) के (?:बाहर|पार|उस पार)",
        rf"पानी (?:सीने|गले|कमर) तक|रेलिंग के (?:उस पार|बाहर|ऊपर)|ज़्यादा (?:ले|खा) (?:ली|लीं|लिया)|माचिस जला (?:दी|ली)|{_DOSE_HI}(?: \S+){{0,4}} (?:खा|पी|निगल) (?:गया|गई)|(?:रस्सी|फंदा)(?: \S+){{0,3}} लग (?:गई|गया)|गांठ बांध (?:ली|दी)",
    ],
    "ideation": [
        r"(?:want|wanna|wish) (?:to )?die|wish i (?:was|were) dead|wish i (?:wasnt|werent|was not|were not) (?:alive|here|around)|taken (?:away )?from this world|wish i (?:could )?(?:die|disappear|sleep forever)",
        r"dont want to (?:live|wake up|be alive|exist|be here|keep living|go on)|do not want to live",
        r"better off (?:dead|without me)|no reason to live|(?:nothing|left) to live for|better to die|waste of (?:oxygen|space)|(?:should|shouldnt) (?:just )?(?:not )?be here|(?:strength|will|reason) to (?:keep )?(?:living|live|go on)",
        r"tired of (?:living|life|being alive)|cant go on|dont want this life",
        r"(?:end|ending) (?:it all|my life|everything|it)|want it (?:all )?to end|want to disappear",
        r"never wake up|not wake up|sleep forever|sleep for good|never open my eyes(?: again)?|(?:disappointed|sad|angry) (?:that )?(?:im|i am) still (?:here|alive)|(?:ask|asking|beg|begging|pray|praying) god (?:\w+ ){0,2}to take me|god (?:please )?take me",
        r"(?:dont|do not) (?:want|wanna) (?:to )?(?:live|be alive|exist|wake up|be here|go on)",
        r"wish i (?:had|was|were)(?:nt| not)? (?:never )?(?:been )?born|(?:should|shouldnt) have (?:never )?been born|should have died",
        r"(?:everyone|everybody|they|world|family) (?:would|will) be (?:better|happier|fine)(?: off)? without me",
        r"hope (?:something happens to me|i (?:dont|never) wake up|i die)|if i (?:died|die|was gone)",
        r"(?:nobody|no one) would (?:even )?(?:notice|care|miss)|pray(?:ing)? (?:to|that i) (?:die|not wake)",
        r"want (?:to )?(?:kill|end) (?:myself|my life|it)|thinking (?:about|of) (?:ending|killing|suicide|dying)",
        r"(?:life|living) is(?:nt| not)? (?:worth|pointless)|whats (?:even )?the point (?:of|in) (?:living|life|being alive|staying alive|going on)|hate being alive",
        r"never (?:woke|waking) up|(?:wouldnt|would not) mind (?:if i )?(?:dying|died|never|not waking|didnt wake)|want to see (?:tmrw|tomorow)",
        r"(?:better|rather) (?:to )?(?:be )?dead|rather die|want (?:it )?(?:all )?to (?:end|stop)|take me away|want out|why (?:was|am) i (?:even )?(?:born|alive)",
        r"(?:only|one) way out|no way out|end (?:this|the) pain|(?:death|dying) (?:is|seems|feels|would be) (?:the only|better|easier)",
        r"if i (?:wasnt|werent|was not|were not) (?:here|around|alive)|(?:dont|do not) deserve to live|(?:dont|do not) want to see (?:tomorrow|another day)",
        r"(?:no|lost the|dont have any|dont have the) (?:wish|will|desire|strength) to (?:live|stay alive|go on|keep going)|(?:breathing|heart) (?:to )?stop|stop breathing",
        # romanised Hindi
        r"marne ka (?:mann|man|dil|khayal|soch)\w*|marne ke (?:alawa|siva|siwa|khayal)|mar jana (?:behtar|acha|sahi)",
        r"(?:jeene|jine) ka (?:mann|man|dil|shauk|koi)|(?:jee|ji) (?:ke|kar) (?:kya|kia) (?:karu|karunga|karungi|fayda)",
        r"(?:saans|sans|saanse|sanse)\w* (?:ruk|band) (?:jaye|jaaye|jaae|jae|ho jaye|ho jaaye)|hamesha ke liye so ja\w*",
        rf"agar (?:main|mai|me|mein) (?:na|nahi|nhi) (?:rahu|rahun|rahunga|rahungi|raha|rahi)|duniya (?:mein|me) {_NAHI} (?:rehna|rahna)|{_NAHI} (?:rehna|rahna) (?:hai|h|mujhe)",
        r"mere (?:bina|jaane se|marne se|na hone se)|(?:zinda|jinda) (?:rehne|rahne) ka",
        r"(?:suicide|khudkushi|aatmhatya) ka (?:khayal|khyal|vichar|soch)\w*|(?:mar|marne) (?:jaun|jau) (?:toh|to)",
        r"paida (?:hi )?(?:na|nahi|nhi) (?:hota|hoti)|(?:uthu|uthun|uthoon) (?:hi )?(?:na|nahi)|maut (?:maang|mang)\w*",
        r"ek hi (?:raasta|rasta|tarika)|(?:koi|aur koi) (?:raasta|rasta) (?:nahi|nhi)",
        r"mar jana (?:chahta|chahti|hai)|mar ja(?:u|un|oon|aun|ana)|marna (?:chahta|chahti|hai|hi)|mar jata to",
        r"mar (?:jaau|jaaun|jaon|jau)|mar kyu nahi jata|mar jaye|mar gaya hota|mar jata|mar jaati|mar jati",
        r"jeena (?:hi |bhi )?(?:nahi|nhi|nai) (?:chahta|chahti|hai)|(?:nahi|nhi) jeena|jeene ka (?:mann|man|mood) (?:nahi|nhi)|(?:sab|khud ko) (?:khatam|khtm) (?:kar du|kar dun|kar doon|karne ka)|(?:kyu|kyun|kyon) paida (?:hua|hui)",
        r"(?:jeene|jine) ki (?:koi )?(?:ichha|icha|iccha|wajah|vajah|himmat) (?:nahi|nhi|na)|jeene ka (?:koi )?(?:matlab|fayda)",
        r"kaash (?:main|mai|me|mein)? ?(?:mar|paida)|maut (?:aa jaye|chahiye|de de|aa jati)",
        r"(?:bhagwan|bhagvan|upar wala|uparwala|god) (?:utha le|mujhe utha|bula le)|utha lo|duniya chhod\w*",
        r"(?:bhagwan|bhagvan|upar wala|uparwala|upar wale|allah|rab)(?: \w+){1,2} (?:utha le|utha lo|bula le|bula lo)",
        # Devanagari
        r"मरने का (?:मन|दिल|ख्याल)|मरने के (?:अलावा|सिवा|ख्याल)|मर जाना (?:बेहतर|अच्छा|सही)|मरना ही",
        r"जीने का (?:मन|दिल|शौक|कोई)|जी (?:के|कर) क्या|मेरे (?:बिना|जाने से|मरने से)|(?:ज़िंदा|जिंदा) रहने का",
        r"(?:आत्महत्या|खुदकुशी) (?:का|के) (?:ख्याल|विचार)|पैदा ही न (?:होता|होती)|उठूं ही नहीं|मौत मांग\w*",
        r"(?:मैं|मै|मुझे|मुझको) (?:मर|मरना) (?:जाऊं|जाऊँ|चाहता|चाहती|है)|बुला ले|सांसें? रुक जाए\w*",
        r"एक ही (?:रास्ता|तरीका)|कोई रास्ता नहीं|अगर (?:मैं|मै) (?:न|नहीं) (?:रहूं|रहा|रही)|दुनिया में नहीं रहना|नहीं रहना|सांसें? (?:रुक|बंद हो) जा\w*|हमेशा के लिए सो जा\w*",
        r"मर जाना (?:चाहता|चाहती)|मरना (?:चाहता|चाहती|है)|मर जाऊं|मर जाऊँ|मर जाता|मर जाए|मर जाती",
        r"जीना (?:ही |भी )?नहीं|जीने का मन नहीं|जीने की (?:कोई )?(?:इच्छा|वजह|हिम्मत) नहीं|नहीं जीना|जीने का कोई (?:मतलब|फायदा)|(?:सब|खुद को) खत्म (?:कर दूं|कर दूँ|करने का)|क्यों पैदा (?:हुआ|हुई)",
        r"मौत (?:आ जाए|चाहिए|दे दे)|काश मैं (?:मर|पैदा)|भगवान (?:उठा ले|मुझे उठा)|उठा लो|दुनिया छोड़\w*",
        r"(?:भगवान|ऊपर वाले|ईश्वर|अल्लाह)(?: \S+){1,2} (?:उठा ले|उठा लो|बुला ले|बुला लो)|धड़कना (?:भी )?बंद",
    ],
    "suicide": [
        r"suicid\w*|sucide|suiside|kill(?:ing)? (?:myself|my self)|kms|unalive",
        r"(?:end|take|ending|taking) my (?:own )?life|self[ -]?harm|cutting myself",
        r"kill(?:ed|ing|s)? (?:himself|herself|themselves)|(?:end|ended|take|took|taking|ending) (?:his|her|their) (?:own )?life|hanged (?:himself|herself)",
        r"khudkushi|khudkhushi|khudkhusi|aatmhatya|atmahatya|aatmahatya|atmhatya",
        r"(?:khud|apne aap) ko (?:khatam|maar|khtm|mar)|apni jaan (?:le|de)|jaan de (?:dunga|dungi|du|doon|dena|raha|rahi|di)",
        r"(?:zindagi|jindagi|life) (?:khatam|khtm|end) (?:kar|krna|karna|kr)\w*",
        r"आत्महत्या|खुदकुशी|खुदखुशी|सुसाइड|(?:खुद|अपने आप) को (?:खत्म|मार)|अपनी जान (?:ले|दे)|जान (?:दे|दूंगा|दूंगी|दूँगा|दूँगी|दूं) ?(?:दूंगा|दूंगी|रहा|रही|दी)?",
        r"(?:जिंदगी|ज़िंदगी) (?:खत्म|ख़त्म) (?:कर|करना)\w*",
    ],
    "hopelessness": [
        r"hopeless|no hope|no point|pointless|worthless|useless|a burden|burden",
        r"nobody (?:cares|would care|will miss|loves)|no one (?:cares|would care|would notice|will miss|loves)",
        r"cant (?:take|do|handle|bear) (?:it|this) anymore|cant take it|giving up|give up|gave up",
        r"empty|numb|lonely|all alone|tired of everything|nothing (?:matters|left)|failure|exhausted",
        r"koi (?:umeed|ummeed|umid|ummid) (?:nahi|nhi)|umeed khatam|sab (?:kuch )?khatam|kuch (?:nahi|nhi) bacha",
        r"bojh|bekaar|bekar|nikamma|nikammi|kisi ko (?:fark|farak|fraq) (?:nahi|nhi)",
        r"koi (?:nahi|nhi) (?:samajhta|samjhta|samjhti|samajhti|hai)|akela|akeli|tanha",
        r"thak (?:gaya|gayi|gya|gyi|chuka|chuki)|haar (?:gaya|gayi|gya|gyi|chuka|chuki)",
        r"(?:aur|or) (?:nahi|nhi) (?:sehna|sahna|jhel|hota)|bardasht (?:nahi|nhi)|toot (?:gaya|gayi|gya|gyi|chuka|chuki)",
        r"(?:zindagi|jindagi) (?:barbaad|barbad|bekar|narak|jahannum|jhand)|koi fayda nahi",
        r"उम्मीद (?:नहीं|खत्म)|सब (?:कुछ )?खत्म|कुछ नहीं बचा|बोझ|बेकार|निकम्म[ाी]|किसी को फर्क नहीं",
        r"कोई नहीं समझता|अकेला|अकेली|थक (?:गया|गई|चुका|चुकी)|हार (?:गया|गई|चुका|चुकी)",
        r"बर्दाश्त नहीं|टूट (?:गया|गई|चुका|चुकी)|(?:जिंदगी|ज़िंदगी) (?:नरक|बर्बाद|बेकार)",
    ],
    "negation": [
        r"(?:not|never|wont|will not|would never|will never) (?:going to |gonna |ever )?(?:do (?:it|that|anything|something)|kill myself|hurt myself|harm myself|end (?:it|my life)|try (?:it|anything|again))",
        r"(?:im|i am) not (?:suicidal|going to do anything|planning anything)|not suicidal|no (?:plans?|intention) (?:to|of)",
        r"dont worry|(?:im|i am) (?:fine|okay|ok|safe)(?: now)?|just kidding|jk|not serious",
        r"(?:nahi|nhi|nai|na) (?:karunga|karungi|marunga|marungi|karenge|karoonga|krunga|krungi)",
        r"kabhi (?:nahi|nhi) (?:karunga|karungi|marunga|marungi)|(?:koi )?(?:irada|iraada) (?:nahi|nhi)",
        r"aisa (?:kuch )?(?:nahi|nhi) (?:karunga|karungi)|chinta mat|tension mat|fikar mat|fikr mat|pareshan mat",
        r"(?:mazak|mazaak|majak|mazaq) (?:tha|kar|me|mein)|theek (?:hu|hun|hoon)|thik (?:hu|hun|hoon)",
        r"नहीं करूंगा|नहीं करूंगी|नहीं करूँगा|नहीं करूँगी|कभी नहीं (?:करूंगा|करूंगी)|(?:कोई )?इरादा नहीं",
        r"चिंता मत|टेंशन मत|फिक्र मत|परेशान मत|मज़ाक|मजाक|ठीक हूं|ठीक हूँ",
    ],
    "third_party": [
        r"my (?:friend|best friend|brother|sister|cousin|son|daughter|classmate|roommate|colleague|neighbou?r|wife|husband|bf|gf|boyfriend|girlfriend|student|uncle|aunt|friends)",
        r"(?:he|she|they) (?:said|says|told|wants|keeps|posted|is talking|was talking|tried|attempted|died|sent|wrote|messaged)",
        r"(?:best friend|dost|saheli|bhai|behen|friend|sister|brother)(?:s| ki| ka| ke) (?:last )?(?:story|status|post|message|msg)|(?:us|is) (?:ladke|ladki|aadmi|aurat|student|kisan|yuvak|yuvati)",
        r"(?:her|his|their) (?:last )?(?:story|status|post|message|phone)",
        r"if (?:someone|anyone|a friend|your friend|your child|a loved one)|agar (?:aapka |kisi ka |aapke )?koi|someone (?:i know|close to me)|(?:a|one|another) (?:student|farmer|boy|girl|man|woman|youth|teen|friend|classmate)",
        r"mera (?:dost|bhai|beta|pati|yaar|cousin|bhaiya|roommate|padosi)|meri (?:dost|behen|bahan|beti|saheli|biwi|wife|didi|cousin|bhabhi)",
        r"(?:usne|unhone|usko|uski|uska|unki|unka|uske) |(?:dost|bhai|behen|kisan|chhatra|student|ladke|ladki|roommate) ne",
        r"ek (?:ladka|ladki|student|kisan|chhatra|aadmi|aurat|mahila|yuvak|yuvati)",
        r"मेरा (?:दोस्त|भाई|बेटा|पति)|मेरी (?:दोस्त|बहन|बेटी|सहेली|पत्नी|दीदी)|उसने|उसको|उसकी|उसका|उनकी|उन्होंने|भाभी|पड़ोस\w*",
        r"अगर (?:आपका |किसी का )?कोई|(?:उसने|उन्होंने|वो|वह) (?:कहा|बोला|बताया|बोली)|ने (?:कहा|बताया) (?:कि )?(?:वो|वह)|एक (?:छात्र|छात्रा|युवक|युवती|किसान|व्यक्ति|महिला|लड़का|लड़की)|(?:छात्र|छात्रा|किसान|युवक|युवती) ने",
    ],
    "idiom": [
        r"(?:is|are|was|its|exam|this|these|thats) killing me|killed it|killing it|kill for|would kill for",
        r"die for|dying (?:to|of|for|laughing)|(?:im|i am|literally|so) dead|literally dying|to die for",
        r"(?:bored|scared|worried|laughed|laughing) to death|dead tired|dead serious|(?:battery|phone) died",
        r"(?:phone|battery|wifi|internet|net|charger|bike|scooty|car|tv|fridge|inverter|pen|mouse|plants?) (?:just |has |is )?(?:died|dying|dead)|(?:phone|battery|bike|scooty|tv|fridge) (?:mar|dead ho) (?:gaya|gayi|gya|gyi)",
        r"lmao|lol|rofl|lmfao|haha\w*|hehe\w*|💀|😂|🤣",
        r"(?:hass|has|hans|hasi|hansi|haste|hanste|hass)\w* (?:se |ke |kar )?(?:mar|maar)\w*",
        r"mar (?:gaya|gayi|gya|gyi|gaye) (?:hasi|hansi|has|hass)\w*",
        r"(?:garmi|sardi|thand|thandi|bhookh|bhukh|neend|bore|boredom) (?:se|me|mein|main) (?:mar|maar)\w*",
        r"jaan (?:le|nikal) (?:li|lega|legi|rahi|raha|lengi|lenge|gayi)|(?:meri )?jaan (?:le lega|le legi|nikal)",
        r"maar (?:dala|daala|diya)|kya (?:mast|baat)|mar jawan|mar jaavan|marjaavaan|battery mar\w*",
        r"हंस हंस|हँस हँस|हंसी से|हँसी से|हंसते हंसते|हँसते हँसते|बैटरी मर\w*",
        r"(?:गर्मी|ठंड|सर्दी|भूख|नींद) से मर\w*|जान (?:ले|निकाल) (?:ली|लेगा|लेगी|रहा|रही)|मार डाला",
    ],
    "news": [
        r"news|reported|police said|according to|(?:died|dies|death) by suicide|committed suicide",
        r"suicide case|body (?:was )?found|post[- ]?mortem|ncrb|statistics|data shows|per ?cent|study|survey",
        r"breaking|report|cases of suicide|suicides in|suicide rate",
        r"khabar|samachar|police (?:ne|ke)|laash|lash|body mili",
        r"(?:ne|ki) (?:suicide|khudkushi|aatmhatya) (?:kar li|kar liya|ki)|maamla|mamla",
        r"खबर|समाचार|पुलिस (?:ने|के) (?:बताया|अनुसार|मुताबिक)|शव|लाश|पोस्टमार्टम|एनसीआरबी|आंकड़े|रिपोर्ट|मामला",
        r"(?:ने|की) (?:आत्महत्या|खुदकुशी) (?:कर ली|की)",
    ],
    "support": [
        r"helpline|hotline|tele ?manas|14416|1800\d*|988|kiran|icall|aasra|vandrevala|sneha",
        r"reach out|(?:you are|youre|ur) not alone|talk to (?:someone|us|me)|here for you|dm me|inbox me",
        r"seek help|get help|mental health|awareness|prevention|its okay to|it gets better|therapy|therapist|survived",
        r"baat (?:karo|kijiye|karein|karen|kare)|akele nahi|aap akele|madad|sampark|call (?:karein|karo|kare|karen)",
        r"(?:depression|anxiety) ki (?:dawa|dawai|goli)\w*|(?:taking|on) (?:meds|medication|antidepressants)|hum (?:saath|sath) hain|mai hu na|main hoon na|counsell?ing|counsellor|ilaa?j (?:ke baad|chal raha)",
        r"(?:डिप्रेशन|एंग्जायटी) की (?:दवा|दवाई|गोली)\w*|हेल्पलाइन|टेली मानस|बात करें|बात कीजिए|अकेले नहीं|मदद|संपर्क|कॉल करें|हम साथ हैं|काउंसलिंग|इलाज के बाद|थेरेपी",
    ],
    "threat": [
        r"(?:ill|i will|im going to|gonna) (?:kill|murder|beat|finish) (?:you|him|her|them|u)",
        r"kill (?:you|him|her|them|u)|murder (?:you|him|her)",
        r"(?:tujhe|tujhko|tuje|tereko|usko|use|unko|tumko|tum sab\w*|sabko) (?:maar|mar|jaan se)\w*",
        r"maar (?:dunga|dalunga|daalunga|denge|dalenge|daalenge|du)|jaan se maar\w*|jaan le (?:lunga|lungi|lenge) (?:teri|tumhari|uski|unki)",
        r"(?:तुझे|तुम्हें|उसे|उसको|तुम सब\w*|सबको) (?:मार|जान से)\w*|मार (?:दूंगा|डालूंगा|डालूँगा|देंगे|डालेंगे)|जान से मार\w*|जान ले (?:लूंगा|लूंगी) (?:तेरी|तुम्हारी|उसकी)",
        # calls for violence against others and threats of harm (not the author's own death)
        r"(?:shoot|hang|burn|stab|beat|kill) (?:them|him|her|these|those|all of them)|should be (?:hanged|shot|killed|burnt|burned)|(?:hang|shoot) (?:the|these|those) \w+",
        r"(?:inko|unko|isko|usko|inhe|unhe|sabko|tujhe|tumhe) (?:phansi|fansi|goli|zinda jala|jinda jala|kaat|maar|mar)\w*|(?:goli|phansi|fansi) (?:maar|mar|de|do|dedo|par latka)\w*|(?:kaat|jala|gaad) (?:dunga|denge|dalunga|daalenge)",
        r"(?:इनको|उनको|इसको|उसको|इन्हें|उन्हें|सबको|तुझे|तुम्हें|तुमको) (?:फांसी|फाँसी|गोली|ज़िंदा|जिंदा|काट|मार|जला)\w*|(?:गोली|फांसी|फाँसी) (?:मार|दे|दो|पर लटका)\w*|(?:काट|जला|गाड़|कूट) (?:दूंगा|दूँगा|देंगे|डालूंगा|डालूँगा|डालेंगे)",
        r"(?:मैं|मै|हम) (?:तुम|तुम्हें|तुझे|तुमको|उसे|उन्हें|सब)\w* (?:\S+ ){0,2}(?:मार|काट|जला) (?:दूंगा|दूँगा|डालूंगा|डालूँगा|देंगे|डालेंगे)",
    ],
    # death wished on someone else, curses and "go die" (second or third person, never the
    # author's: "main mar jaunga", "mujhe mar jana chahiye" stay risk); not under the threat
    # rule, since a curse can be reported by its target ("log kehte hain mar ja tu")
    "curse": [
        r"(?:you|u|ya) (?:should|shud|need to|deserve to|ought to) (?:just |all |go |literally )?(?:die|drop dead|kill (?:yourself|urself|yourselves)|kys|rot)|(?<!i )(?<!il )(?<!wil )(?<!to )(?<!lets )(?:go|pls|please) (?:and )?(?:die|kill (?:yourself|urself)|kys|drop dead)|(?:just|go) kill (?:yourself|urself)",
        r"drop dead|die in a (?:hole|ditch|fire)|hope (?:you|u|he|she|they) (?:die|dies|rot|burn)|(?:wish|pray) (?:you|u|he|she|they) (?:were|was) dead|(?:why dont|why not) (?:you|u) (?:just )?(?:die|kill (?:yourself|urself))|kys",
        r"(?:tu|tum|tum log|tum sab|aap|ap|sab|sale|kamine|kute) (?:\S+ ){0,2}mar (?:ja|jao|jaye|jaiye|jayega|jaega|jaoge)(?! (?:raha|rahi|rha|rhi|rahe|rhe))|mar (?:ja|jao) (?:tu|tum|sale|kamine|kute|kahin)|(?:tu|tum|tum log) mar (?:kyu|kyun|kyon) (?:nahi|nhi|nai) (?:jata|jati|jate)",
        r"doob (?:maro|mar)\b(?! (?:jaunga|jaungi|jana|jau|jaun))|chullu bhar paani (?:me|mein|main) doob mar\w*|(?:bhagwan|bhgwan|rab|khuda|upar wala) kare (?:tu|tum|tum log|wo|woh|vo|voh|ye|yeh) mar ja\w*|(?:teri|tumhari|uski|unki) maut (?:aaye|aye|aa jaye|ho jaye|pakki)|(?:tera|teri|tumhara|uska) (?:janaza|janaja|arthi) (?:niklega|uthega|utha)",
        r"(?:तू|तुम|तुम लोग|तुम सब|आप|सब|साले|कमीने|कुत्ते) (?:\S+ ){0,2}मर (?:जा|जाओ|जाए|जाये|जाइए|जाएगा|जाओगे)(?! (?:रहा|रही|रहे))|मर (?:जा|जाओ) (?:तू|तुम|साले|कमीने|कुत्ते|कहीं)|(?:तू|तुम) मर क्यों नहीं (?:जाता|जाती|जाते)",
        r"डूब मरो|चुल्लू भर पानी में डूब मर\w*|(?:भगवान|रब|खुदा|ऊपर वाला) करे (?:तू|तुम|तुम लोग|वो|वह|ये|यह) मर जा\w*|(?:तेरी|तुम्हारी|उसकी|उनकी) मौत (?:आए|आये|हो जाए|पक्की)|(?:तेरा|तेरी|तुम्हारा|उसका) (?:जनाजा|जनाज़ा|अर्थी) (?:निकलेगा|उठेगा)",
    ],
    # -- subject: who the post is about (docs/triage-guide.md, *Subject*); shown as
    # subject_cues, not as cues
    "person": [
        r"my (?:friend|best friend|bestie|brother|sister|cousin|son|daughter|roommate|classmate|student|wife|husband|dad|father|mom|mother|papa|uncle|grandfather|grandmother|sibling|younger (?:brother|sister))",
        r"(?:isnt|is not|not|stopped) (?:answering|picking up|replying)|(?:hasnt|has not|havent) (?:replied|answered|picked up)|(?:his|her) phone (?:is )?(?:off|switched off|unreachable)",
        r"(?:he|she) (?:keeps saying|keeps talking|keeps joking|says|said|told me|texted|messaged|posted|wrote)|help (?:me )?find (?:him|her)|(?:scared|worried) (?:for|about) (?:him|her)",
        r"what (?:do|should|can) i do|how do i (?:help|support|talk to|bring it up)|check on (?:him|her|ur|your)",
        r"(?:mera|meri|mere) (?:dost|bhai|behen|bahan|beta|beti|pati|biwi|yaar|cousin|bhaiya|didi|saheli|roommate|student|papa|mummy|chacha|mama|dadaji|nanaji)|(?:chhota|chota|bada|chhoti|choti|badi) (?:bhai|behen)|room partner",
        r"phone (?:nahi|nhi|nai|na) (?:utha|uth)\w*|call (?:nahi|nhi|nai) (?:utha|uth|lag)\w*|phone (?:band|switch off|switched off|off) (?:hai|h|he|tha|aa)|(?:uska|uski|unka|unki) (?:phone|number|status|story|post)",
        r"(?:wo|woh|vo|voh) (?:bol|keh|kah)\w* (?:raha|rahi|rha|rhi|tha|thi)|(?:bol|keh) (?:raha|rahi|rha|rhi) (?:hai|h|he|tha|thi) (?:ki |wo )|kahan ho (?:tum|aap)|phone utha (?:lo|lijiye|le)",
        r"(?:kya|kia) (?:karu|karun|kru|krun|karoon)|kaise (?:samjhau|samjhaun|samjhaoon|help karu|baat karu|rokun)",
        r"(?:मेरा|मेरी|मेरे) (?:दोस्त|भाई|बहन|बेटा|बेटी|पति|पत्नी|सहेली|दीदी|भैया|चाचा|मामा|पापा|मम्मी|रूममेट)|(?:छोटा|बड़ा|छोटी|बड़ी) (?:भाई|बहन)",
        r"फोन (?:नहीं|बंद)\w*|(?:उसका|उसकी|उनका|उनकी) (?:फोन|नंबर|स्टेटस|स्टोरी|पोस्ट)|(?:वो|वह) (?:कह|बोल)\w* (?:रहा|रही|था|थी)|(?:कह|बोल) रह[ाी] (?:है|था|थी)",
        r"क्या करूं|क्या करूँ|कैसे समझाऊं|कैसे समझाऊँ|कैसे बात करूं|कहां हो|फोन उठा\w*",
    ],
    "memorial": [
        r"rip|rest in peace|may (?:his|her|their) soul|condolences|death anniversary|gone too soon|miss you (?:bro|bhai|yaar|sis)|in loving memory|inmemory|cremated|funeral|lost my \w+ to suicide",
        r"shraddhanjali|shradhanjali|barsi|terahvi|(?:atma|aatma) ko shanti|om shanti|bhagwan (?:uski|unki) (?:atma|aatma)|miss you bhai",
        r"श्रद्धांजलि|बरसी|तेरहवीं|आत्मा को शांति|ओम शांति|भावभीनी",
    ],
    "helper": [
        r"ive been there|i have been there|been where you are|call 14416|dm me|inbox me|message me|here for you|here if (?:you|u) need|talk to someone|(?:you are|youre|ur) not alone|please stay",
        r"(?:main|mai) bhi (?:wahan|waha|usi jagah) (?:tha|thi)|(?:dm|message|msg) (?:karo|kro|kr do|kijiye)|baat (?:karo|kro|kijiye|karein)|hum (?:sab )?(?:saath|sath) (?:hain|h|hai)|(?:tum|aap) akele (?:nahi|nhi)",
        r"(?:मैं|मै) भी (?:वहां|वहाँ|उसी जगह) (?:था|थी)|बात (?:करो|करें|कीजिए)|हम साथ हैं|(?:आप|तुम) अकेले नहीं|14416",
    ],
    "recovery": [
        r"(?:years?|months?) ago|years? clean|(?:today|now) im (?:a|an|married|employed|happy|alive|okay|fine|in|back)|i survived|got me through|saved (?:my life|me)|im (?:okay|ok|better|alive|still here) now|it gets better|in 20\d\d i|back then|i used to (?:think|want|self|cut)|recovery",
        r"saal pehle|saal pahle|mahine pehle|pichhle saal|pichle saal|ab (?:main|mai) (?:theek|thik|khush)|ab sab (?:theek|thik)|(?:tab|us waqt) (?:main|mai)|aaj (?:naukri|job|shaadi)|zindagi badal gayi",
        r"साल पहले|महीने पहले|पिछले साल|अब (?:मैं |मै )?ठीक (?:हूं|हूँ)|(?:तब|उस वक्त) (?:मैं|मै)|आज नौकरी|ज़िंदगी बदल गई|जिंदगी बदल गई",
    ],
    "quote": [
        r"lyrics|song|quote|shayari|poem|poetry|line from|dialogue|couplet|♪|🎵|🎶",
        r"gaana|gana|gaane|shayari|shayri|sher|ghazal|kavita|dialog|lyrics",
        r"गाना|गाने|शायरी|शेर|ग़ज़ल|गजल|कविता|डायलॉग|पंक्ति",
    ],
    "death": [
        r"die|dies|died|dying|dead|death|deaths",
        r"mar|marna|marne|mara|mari|maut|mout|mrna|kabar|kabr|kabra|chita|coffin|grave|funeral",
        r"मर\w*|मौत|मृत्यु|कब्र|चिता|अर्थी",
    ],
    "self": [
        r"i|im|ive|id|ill|me|my|myself|mine",
        r"main|mai|mein|mujhe|muje|mujhko|mujhse|mera|meri|mere|maine|mene|apni|apna|khud",
        r"मैं|मै|मुझे|मुझको|मुझसे|मेरा|मेरी|मेरे|मैंने|अपनी|अपना|खुद",
    ],
    "now": NOW,
    "later": LATER,
    # a bare future verb ("karunga", "jaungi") is intent only beside a means or death word;
    # the model sees that conjunction, the operator sees the intent and method spans
    "future": [
        r"(?:kar|kr) (?:lunga|lungi|lenge|dunga|dungi|lu|lun)|karunga|karungi|karoonga|kr?u?n?g[ai]|karu?n?g[ai]",
        r"(?:de|le) (?:dunga|dungi|lunga|lungi)|jaunga|jaungi|jaoonga|jaaunga|jauga|jaugi",
        r"करूंगा|करूँगा|करूंगी|करूँगी|कर (?:लूंगा|लूंगी|लूँगा|दूंगा|दूंगी)|दूंगा|दूंगी|जाऊंगा|जाऊंगी|जाऊँगा|जाऊँगी",
        r"(?:im|i am) going to|ill|i will|gonna",
    ],
    # ordinary things shut, down or out, and results-day logistics ("result ki site phir se
    # band hai", "result aaj aayega"): the corpus puts exam results beside risk, so the model
    # sees these as a feature of their own (features.py, everyday-only), not as a time cue
    "everyday": [
        r"(?:site|website|server|portal|app|link|page|wifi|internet|net|network|bank|shop|office|school|college|metro|train|flight|exam centre|exam center) (?:\S+ ){0,2}(?:is |was |has |keeps )?(?:down|crashed|crashing|crashes|not (?:opening|loading|working)|closed|shut|delayed|cancelled|canceled|postponed)",
        r"results? (?:\S+ ){0,2}(?:is |are |will be |to be |gets |get )?(?:out|declared|announced|coming|comes out|released|link|page|date|day)|(?:answer key|cutoff|cut off|merit list|admit card|scorecard)",
        r"(?:site|website|server|portal|app|link|page|wifi|internet|net|network|bank|dukan|dukaan|shop|office|school|college|metro|train|bijli|light|exam centre) (?:\S+ ){0,3}(?:band|down|crash|hang|nahi khul|nhi khul|nahi chal|nhi chal|cancel|postpone|late)\w*",
        r"results? (?:\S+ ){0,2}(?:aayega|aaega|ayega|aaya|aya|aa gaya|aa gya|aayenge|niklega|nikla|nikle|declare|out|kab)\w*|(?:answer key|cutoff|cut off|merit list|admit card|scorecard)",
        r"(?:साइट|वेबसाइट|सर्वर|पोर्टल|ऐप|लिंक|नेट|इंटरनेट|बैंक|दुकान|ऑफिस|स्कूल|कॉलेज|बिजली|लाइट|ट्रेन) (?:\S+ ){0,3}(?:बंद|डाउन|क्रैश|हैंग|नहीं खुल|नहीं चल|कैंसिल|लेट)\w*",
        r"(?:रिजल्ट|परिणाम|नतीजे|नतीजा) (?:\S+ ){0,2}(?:आएगा|आयेगा|आया|आ गया|आएंगे|निकलेगा|निकला|घोषित|कब)\w*|(?:आंसर की|कटऑफ|मेरिट लिस्ट|एडमिट कार्ड)",
        # a device that failed, not a person who is unreachable ("mera phone band ho gaya,
        # charging nahi ho rahi" is not "uska phone band hai")
        r"(?:phone|mobile|battery|charger|laptop|screen) (?:\S+ ){0,3}(?:died|dead|ran out|not charging|wont charge|broke|broken|cracked|in repair|at the repair)|battery (?:low|dead|died|ran out)",
        r"(?:phone|mobile|battery|charger|laptop|screen) (?:\S+ ){0,3}(?:kharab|khatam|toot|tut|charge (?:nahi|nhi)|charging (?:nahi|nhi)|repair|low|discharge)\w*|(?:charging|recharge|balance|data pack) (?:nahi|nhi|khatam|khtm)\w*",
        r"(?:फोन|मोबाइल|बैटरी|चार्जर|लैपटॉप|स्क्रीन) (?:\S+ ){0,3}(?:खराब|खत्म|टूट|चार्ज नहीं|चार्जिंग नहीं|डेड|रिपेयर|लो)\w*|(?:चार्जिंग|रिचार्ज|बैलेंस) (?:नहीं|खत्म)\w*",
    ],
}

#: tags whose patterns are the union of other tags' (matched once, retagged; see cues.py)
DERIVED_TAGS = {"time": ("now", "later")}
#: tags used as features but not shown to the operator
#: the tags that tell whose risk it is (docs/triage-guide.md, *Subject*): features of both
#: heads, reported as `subject_cues` rather than `cues`
SUBJECT_TAGS = frozenset({"person", "memorial", "helper", "recovery", "quote"})
INTERNAL_TAGS = frozenset({"self", "death", "now", "later", "future", "everyday"}) | SUBJECT_TAGS
TAGS = tuple(LEXICON)
