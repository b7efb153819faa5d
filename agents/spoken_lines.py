"""Built-in lines: what an agent says on a call beyond its own words, in the caller's language.

The agent's own words (greeting, fallback, goodbye) come from its configuration; these are the
channel's: asking a silent caller if they are still there, the filler while a slow reply is
made, the goodbye to a caller who stays silent, the apology of a line that is offline. Each is
written for the languages of Twilio's voices and looked up by the BCP-47 language of the
connection's voice, so a French voice says them in French. An agent may word any line its own
way; its wording is said whatever the language.
"""

from dataclasses import dataclass

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class SpokenLine:
    label: str
    when: str


LINES = {
    "reprompt": SpokenLine("Still there?", "Asked when the caller says nothing."),
    "filler": SpokenLine("Filler", "Said while a slow reply is being made."),
    "silence_goodbye": SpokenLine(
        "Silence goodbye", "Said before hanging up on a caller who stayed silent through the reprompts."
    ),
    "offline_apology": SpokenLine(
        "Offline apology", "Said to callers while the agent is stopped or the line is offline, then the call ends."
    ),
}

_SIMPLIFIED_CHINESE = {
    "reprompt": "请问您还在吗？",
    "filler": "请稍等。",
    "silence_goodbye": "我听不到您的声音，现在将结束通话。欢迎随时再次来电。再见。",
    "offline_apology": "抱歉，此号码目前无人接听您的来电。请稍后再拨。再见。",
}
_TRADITIONAL_CHINESE = {
    "reprompt": "請問您還在嗎？",
    "filler": "請稍等。",
    "silence_goodbye": "我聽不到您的聲音，現在將結束通話。歡迎隨時再次來電。再見。",
    "offline_apology": "抱歉，此號碼目前無人接聽您的來電。請稍後再撥。再見。",
}

# Keyed by lower-case language subtag, or language-region where a region writes differently.
TRANSLATIONS: dict[str, dict[str, str]] = {
    "en": {
        "reprompt": "Are you still there?",
        "filler": "One moment, please.",
        "silence_goodbye": "I can't hear you, so I'll end the call now. Please call again any time. Goodbye.",
        "offline_apology": (
            "Sorry, no one can take your call on this number right now. Please try again later. Goodbye."
        ),
    },
    "es": {
        "reprompt": "¿Sigue ahí?",
        "filler": "Un momento, por favor.",
        "silence_goodbye": "No le oigo, así que voy a terminar la llamada. Vuelva a llamar cuando quiera. Adiós.",
        "offline_apology": (
            "Lo sentimos, ahora mismo nadie puede atender su llamada en este número. "
            "Inténtelo de nuevo más tarde. Adiós."
        ),
    },
    "fr": {
        "reprompt": "Êtes-vous toujours là ?",
        "filler": "Un instant, s'il vous plaît.",
        "silence_goodbye": (
            "Je ne vous entends pas, je vais donc mettre fin à l'appel. "
            "N'hésitez pas à rappeler à tout moment. Au revoir."
        ),
        "offline_apology": (
            "Désolé, personne ne peut prendre votre appel sur ce numéro pour le moment. "
            "Veuillez réessayer plus tard. Au revoir."
        ),
    },
    "de": {
        "reprompt": "Sind Sie noch da?",
        "filler": "Einen Moment, bitte.",
        "silence_goodbye": (
            "Ich kann Sie nicht hören, deshalb beende ich jetzt den Anruf. "
            "Rufen Sie gern jederzeit wieder an. Auf Wiederhören."
        ),
        "offline_apology": (
            "Leider kann Ihren Anruf unter dieser Nummer gerade niemand entgegennehmen. "
            "Bitte versuchen Sie es später noch einmal. Auf Wiederhören."
        ),
    },
    "it": {
        "reprompt": "È ancora in linea?",
        "filler": "Un momento, per favore.",
        "silence_goodbye": "Non la sento, quindi chiudo la chiamata. Può richiamare quando vuole. Arrivederci.",
        "offline_apology": (
            "Siamo spiacenti, al momento nessuno può rispondere alla sua chiamata su questo numero. "
            "La preghiamo di riprovare più tardi. Arrivederci."
        ),
    },
    "pt": {
        "reprompt": "Ainda está aí?",
        "filler": "Um momento, por favor.",
        "silence_goodbye": (
            "Não consigo ouvir nada, por isso vou encerrar a chamada. Ligue novamente quando quiser. Até logo."
        ),
        "offline_apology": (
            "Desculpe, ninguém pode atender a sua chamada neste número agora. Tente novamente mais tarde. Até logo."
        ),
    },
    "nl": {
        "reprompt": "Bent u er nog?",
        "filler": "Een ogenblik, alstublieft.",
        "silence_goodbye": (
            "Ik kan u niet horen, dus ik beëindig nu het gesprek. Bel gerust op elk moment terug. Tot ziens."
        ),
        "offline_apology": (
            "Helaas kan niemand uw oproep op dit nummer nu beantwoorden. Probeer het later nog eens. Tot ziens."
        ),
    },
    "ja": {
        "reprompt": "もしもし、まだいらっしゃいますか？",
        "filler": "少々お待ちください。",
        "silence_goodbye": (
            "お声が聞こえませんので、お電話を終了いたします。またいつでもおかけください。失礼いたします。"
        ),
        "offline_apology": (
            "申し訳ございません。ただいまこの番号ではお電話に出ることができません。"
            "しばらくしてからおかけ直しください。失礼いたします。"
        ),
    },
    "ko": {
        "reprompt": "여보세요, 아직 계신가요?",
        "filler": "잠시만 기다려 주세요.",
        "silence_goodbye": "목소리가 들리지 않아 통화를 종료하겠습니다. 언제든지 다시 전화해 주세요. 안녕히 계세요.",
        "offline_apology": (
            "죄송합니다. 지금은 이 번호로 전화를 받을 수 없습니다. 잠시 후 다시 걸어 주세요. 안녕히 계세요."
        ),
    },
    "zh": _SIMPLIFIED_CHINESE,
    "zh-tw": _TRADITIONAL_CHINESE,
    "zh-hk": _TRADITIONAL_CHINESE,
    "yue": _TRADITIONAL_CHINESE,
    "hi": {
        "reprompt": "क्या आप अभी भी लाइन पर हैं?",
        "filler": "कृपया एक क्षण रुकिए।",
        # Passive voice: the first person would need a gender the voice may not have.
        "silence_goodbye": (
            "आपकी आवाज़ सुनाई नहीं दे रही है, इसलिए यह कॉल अब समाप्त की जा रही है। कृपया कभी भी दोबारा कॉल करें। नमस्ते।"
        ),
        "offline_apology": ("क्षमा करें, इस नंबर पर अभी कोई आपकी कॉल नहीं ले सकता। कृपया बाद में फिर से कोशिश करें। नमस्ते।"),
    },
    "ar": {
        "reprompt": "هل ما زلت على الخط؟",
        "filler": "لحظة من فضلك.",
        "silence_goodbye": "لا أستطيع سماعك، لذا سأنهي المكالمة الآن. يمكنك الاتصال مرة أخرى في أي وقت. مع السلامة.",
        "offline_apology": (
            "عذرًا، لا يوجد أحد متاح للرد على مكالمتك على هذا الرقم الآن. يرجى المحاولة مرة أخرى لاحقًا. مع السلامة."
        ),
    },
    "ru": {
        "reprompt": "Вы ещё на линии?",
        "filler": "Одну минуту, пожалуйста.",
        "silence_goodbye": "Я вас не слышу, поэтому завершаю звонок. Звоните снова в любое время. До свидания.",
        "offline_apology": (
            "К сожалению, сейчас никто не может ответить на ваш звонок по этому номеру. "
            "Пожалуйста, перезвоните позже. До свидания."
        ),
    },
    "pl": {
        # "Can you still hear me?": asking after the caller in Polish needs their gender (Pan/Pani).
        "reprompt": "Halo, czy nadal mnie słychać?",
        "filler": "Chwileczkę, proszę.",
        "silence_goodbye": (
            "Nic nie słyszę, więc kończę teraz rozmowę. Prosimy zadzwonić ponownie w dowolnym momencie. Do widzenia."
        ),
        "offline_apology": (
            "Przepraszamy, w tej chwili nikt nie może odebrać połączenia pod tym numerem. "
            "Prosimy spróbować ponownie później. Do widzenia."
        ),
    },
    "tr": {
        "reprompt": "Hâlâ hatta mısınız?",
        "filler": "Bir saniye lütfen.",
        "silence_goodbye": (
            "Sizi duyamıyorum, bu yüzden aramayı şimdi sonlandırıyorum. "
            "İstediğiniz zaman tekrar arayabilirsiniz. Hoşça kalın."
        ),
        "offline_apology": (
            "Üzgünüz, şu anda bu numarada çağrınızı yanıtlayabilecek kimse yok. "
            "Lütfen daha sonra tekrar deneyin. Hoşça kalın."
        ),
    },
    "sv": {
        "reprompt": "Är du kvar?",
        "filler": "Ett ögonblick, tack.",
        "silence_goodbye": (
            "Jag hör dig inte, så jag avslutar samtalet nu. Välkommen att ringa igen när som helst. Hej då."
        ),
        "offline_apology": (
            "Tyvärr kan ingen ta emot ditt samtal på det här numret just nu. Försök igen senare. Hej då."
        ),
    },
}

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "yue": "Cantonese",
    "zh": "Chinese (Mandarin)",
}

# Language subtags Twilio's voice list uses for a language written above under another code.
_SAME_WRITTEN_LANGUAGE = {"cmn": "zh", "arb": "ar"}
# Regions where Mandarin is written in traditional characters.
_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def default(name: str) -> str:
    """The built-in line in English (what the admin shows as the line's default)."""
    return TRANSLATIONS[FALLBACK_LANGUAGE][name]


def languages() -> list[str]:
    """The names of the languages the built-in lines are written in, in alphabetical order."""
    return sorted(LANGUAGE_NAMES[code] for code in TRANSLATIONS if "-" not in code)


def line(name: str, language: str | None, overrides: dict | None = None) -> str:
    """The line `name` for a call in `language` (BCP-47, e.g. fr-CA): the agent's own wording
    if it has one, else the built-in line for the language, its base language, or English."""
    if name not in LINES:
        raise KeyError(f"No built-in line named {name!r}")
    own = (overrides or {}).get(name)
    if isinstance(own, str) and own.strip():
        return own.strip()
    for code in _lookup_order(language or ""):
        if code in TRANSLATIONS:
            return TRANSLATIONS[code][name]
    return default(name)


def _lookup_order(language: str) -> list[str]:
    """The codes to try, most specific first: fr-CA → fr-ca, fr; cmn-TW and zh-Hant → zh-tw, zh."""
    subtags = [part for part in language.replace("_", "-").lower().split("-") if part]
    if not subtags:
        return []
    base = _SAME_WRITTEN_LANGUAGE.get(subtags[0], subtags[0])
    region = next((tag for tag in subtags[1:] if len(tag) == 2 or tag.isdigit()), None)
    order = []
    if "hant" in subtags or (base == "zh" and region in _TRADITIONAL_REGIONS):
        order.append("zh-tw")
    if region and f"{base}-{region}" not in order:
        order.append(f"{base}-{region}")
    order.append(base)
    return order
