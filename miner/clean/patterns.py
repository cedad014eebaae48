"""Line patterns for segmentation: reply headers, closings, salutations, disclaimers...

All regexes are compiled once at import. Each one is matched against a single line
(reply headers also against two or three lines joined by a space, for wrapped headers).
Languages: EN FR ES PT DE IT NL PL RU UK SV NO DA FI CS HU TR JA ZH.
"""
from __future__ import annotations

import re

_I = re.IGNORECASE

# --------------------------------------------------------------------------- quotes
# ">" at any depth (">", "> >", ">>"), optionally indented; "|" quoting; Outlook
# "> " after spaces. ":" is only a quote marker in a block of such lines (see segment.py).
QUOTE_LINE = re.compile(r"^[ \t]{0,3}>")
PIPE_LINE = re.compile(r"^[ \t]{0,3}\|(?:[ \t]|$)")
COLON_LINE = re.compile(r"^[ \t]{0,3}:(?:[ \t]|$)")
QUOTE_PREFIX = re.compile(r"^[ \t]{0,3}(?:[>|:][ \t]?)+")

# --------------------------------------------------------------------------- reply headers
_WROTE_VERBS = (
    r"wrote|writes|said|escribió|escribio|escreveu|ha scritto|scrisse|schrieb|schreef"
    r"|geschreven|napisał\(a\)|napisała|napisał|napisal|napsal\(a\)|napsala|napsal"
    r"|написал\(а\)|написала|написал|пишет|написав\(ла\)|написав|написала|пише"
    r"|skrev|kirjoitti|írta|yazdı|a écrit|a ecrit|写道|寫道|のメッセージ|は書きました"
    r"|escrit|va escriure|skriver"
)
# "On <date>, <name> wrote:" and its translations; the verb ends the header.
WROTE_END = re.compile(
    r"(?:\b|\s|^)(?:" + _WROTE_VERBS + r")(?:\s+(?:am|on|het volgende|følgende|följande)\b.{0,80})?"
    r"\s*[:：]?\s*(?:-{2,})?\s*$",
    _I,
)
# Verb-second headers put the author after the verb: "Am <date> schrieb Alice Walker:",
# "Op <date> schreef X:", "Den <date> skrev X:". Only trusted after a HEADER_START with a date.
VERB_NAME_END = re.compile(
    r"\b(?:schrieb|schreef|skrev|kirjoitti|escribió|escreveu|scrisse|a écrit|wrote)\s+"
    r"[^:：]{1,100}[:：]\s*$",
    _I,
)
# Starters of a header that may wrap over lines: "On ...", "Le ...", "Am ...", "El ..."...
HEADER_START = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:On|Le|Am|El|Em|Il|In data|Op|Den|Dnia|W dniu|Dne|Den|Il giorno"
    r"|At|Quoting|Citando|Zitat von|Citation de|Cytując|Цитата|在)\b",
    _I,
)
# Headers that end in an address and a colon: "2016-10-24 15:36 GMT+02:00 Foo <a@b.c>:",
# "ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:".
ADDRESS_COLON_END = re.compile(r"(?:<[^<>\s]*@[^<>\s]*>|\S+@\S+\.\w+\)?)\s*[:：]\s*$")
HAS_DIGIT = re.compile(r"\d")
# Gmail's date-first header without a verb: "2016-03-03 17:21 GMT+01:00 Some One".
ISO_DATE_HEADER = re.compile(
    r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\.?\s+(?:\d{1,2}:\d{2}\b.*|.*<[^>]*@[^>]*>?\s*:?|.*@\S+\s*:?)$"
)
WRAPPED_ADDRESS_END = re.compile(r"^\s*[^\s<>]*@[^\s<>]*>?\s*[:：]\s*$|^\s*>\s*[:：]\s*$")

# --------------------------------------------------------------------------- embedded messages
ORIGINAL_MESSAGE = re.compile(
    r"^[\s*_>]*-{2,}\s*(?:Original Message|Original|Ursprüngliche Nachricht|Originalnachricht"
    r"|Message d'origine|Message original|Mensaje original|Messaggio originale|Mensagem original"
    r"|Oorspronkelijk bericht|Origineel bericht|Originalmeddelande|Ursprungligt meddelande"
    r"|Opprinnelig melding|Original melding|Oprindelig meddelelse|Alkuperäinen viesti"
    r"|Původní zpráva|Eredeti üzenet|Wiadomość oryginalna|Oryginalna wiadomość"
    r"|Исходное сообщение|Оригинальное сообщение|Вихідне повідомлення|原始邮件|元のメッセージ"
    r"|Reply message|Orijinal Mesaj)\s*-{2,}[\s*_]*$",
    _I,
)
FORWARDED = re.compile(
    r"^[\s>*]*(?:-{2,}\s*(?:Forwarded message|Forwarded Message|Weitergeleitete Nachricht"
    r"|Message transféré|Mensaje reenviado|Messaggio inoltrato|Mensagem encaminhada"
    r"|Doorgestuurd bericht|Vidarebefordrat meddelande|Videresendt melding|Videresendt meddelelse"
    r"|Välitetty viesti|Přeposlaná zpráva|Továbbított üzenet|Przekazana wiadomość"
    r"|Пересылаемое сообщение|Пересланное сообщение|转发的邮件)\s*-{2,}"
    r"|Begin forwarded message\s*:|Anfang der weitergeleiteten Nachricht\s*:"
    r"|Début du message réexpédié\s*:|Début du message transféré\s*:|Inicio del mensaje reenviado\s*:"
    r"|Início da mensagem reencaminhada\s*:|Inizio messaggio inoltrato\s*:"
    r"|Doorgestuurd bericht begint\s*:|Vidarebefordrat mejl\s*:"
    r"|-{3,}\s*Forwarded by .{0,120})\s*$",
    _I,
)
# Outlook / Lotus header fields, one per line ("*From:* x" in rich-text replies too).
_FROM = (r"From|Von|De|Da|Från|Fra|Van|Od|От|Від|Lähettäjä|Feladó|Kimden|Remitente|Expéditeur"
         r"|Mittente|Afzender|Nadawca|发件人|發件人|差出人|Reply-To|Risposta|Antwort an|Répondre à")
_SENT = (r"Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada|Fecha|Data|Inviato|Skickat|Sendt|Verzonden"
         r"|Wysłano|Wysłane|Отправлено|Дата|Надіслано|Lähetetty|Päivämäärä|Odesláno|Elküldve|Dátum"
         r"|Gönderildi|Tarih|发送时间|日期|送信日時|日付")
_TO = (r"To|An|À|A|Para|Till|Til|Aan|Do|Кому|Vastaanottaja|Komu|Címzett|Kime|收件人|宛先"
       r"|Cc|CC|Kopie|Cci|Kopia|Копия|Kopio|Másolat|抄送|Bcc")
_SUBJ = (r"Subject|Betreff|Objet|Asunto|Assunto|Oggetto|Ämne|Emne|Onderwerp|Temat|Тема|Aihe"
         r"|Předmět|Tárgy|Konu|主题|主題|件名|Re")
_FIELD = r"^[\s>]*\**\s*(?:{names})\s*\**\s*[:：]\**(?:\s|$)"
HDR_FROM = re.compile(_FIELD.format(names=_FROM), _I)
HDR_SENT = re.compile(_FIELD.format(names=_SENT), _I)
HDR_TO = re.compile(_FIELD.format(names=_TO), _I)
HDR_SUBJ = re.compile(_FIELD.format(names=_SUBJ), _I)
UNDERSCORE_SEP = re.compile(r"^[\s*]*_{10,}[\s*]*$")
DASH_SEP = re.compile(r"^\s*-{5,}\s*$")

# --------------------------------------------------------------------------- signatures
SIG_DELIM = re.compile(r"^(?:-- ?|--|__ ?)\s*$")
MOBILE_SIG = re.compile(
    r"^\s*[(<\[]*\s*(?:"
    r"Sent (?:from|via|with|using|on) .{0,80}"
    r"|Get Outlook for \w+.*|Sent from my .*"
    r"|Envoyé (?:de|depuis) (?:mon|ma) .{0,60}|Envoyé avec .{0,60}"
    r"|Von meinem .{0,60}gesendet\.?|Gesendet von meinem .{0,60}|Gesendet mit .{0,60}"
    r"|Diese Nachricht wurde von meine[mn] .{0,80}gesendet\.?"
    r"|Enviado (?:desde|de|do) (?:mi|meu|o meu|minha) .{0,60}|Enviado desde .{0,60}"
    r"|Inviato da(?:l mio)? .{0,60}|Verzonden (?:vanaf|met|via) .{0,60}|Verstuurd vanaf .{0,60}"
    r"|Skickat från .{0,60}|Sendt fra min .{0,60}|Wysłane z .{0,60}|Wysłano z .{0,60}"
    r"|Отправлено с .{0,60}|Lähetetty .{0,40}(?:iPhone|iPad|Android|puhelimesta).{0,40}"
    r"|Odesláno z .{0,60}|Elküldve .{0,60}|iPhone'umdan gönderildi"
    r"|从我的 ?\S+ ?发送|發自我的 ?\S+|来自我的 ?\S+|寄自我的 ?\S+|\S*我的 ?iPhone ?\S*"
    r"|iPhoneから送信|Sent with \w+|sent by .{0,30}|Someone from mobile|From my \w+.{0,20}"
    r")\s*[)>\]]*\s*$",
    _I,
)
CLOSING = re.compile(
    r"^\s*[-–—~/]*\s*(?:"
    r"(?:(?:with |many |kind(?:est)? |best |warm(?:est)? |warm |sincere )?(?:regards|greetings|wishes|thanks))"
    r"|(?:best|kind regards|regards|cheers|thanks|thank you|thanks again|thx|tia|many thanks"
    r"|thanks (?:in advance|a lot|so much)|all the best|best wishes|sincerely|yours(?: sincerely| truly)?"
    r"|sincerely yours|respectfully|cordially|take care|hope this helps|hth|ciao|br|rgds|bests?)"
    r"|cordialement|bien (?:cordialement|à (?:vous|toi))|amicalement|salutations(?: distinguées)?|merci(?: beaucoup| d'avance)?"
    r"|bonne (?:journée|soirée)|bises|à bientôt"
    r"|saludos(?: cordiales)?|un saludo|atentamente|gracias|muchas gracias|abrazos?|un abrazo"
    r"|atenciosamente|abraços?|obrigad[oa]|cumprimentos|melhores cumprimentos|att"
    r"|(?:mit )?(?:freundlichen|besten|lieben|herzlichen|schönen|viele(?:n)?) (?:grüßen|grüssen|grüße|grüsse|gruß|gruss|dank)"
    r"|viele grüße|liebe grüße|beste grüße|grüße|gruß|gruss|danke(?: schön| sehr)?|vielen dank|lg|mfg|vg"
    r"|cordiali saluti|saluti|distinti saluti|grazie(?: mille)?|un saluto|a presto"
    r"|met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groet(?:en|jes)?|bedankt|dank je(?: wel)?|mvg"
    r"|pozdrawiam(?: serdecznie)?|z poważaniem|dziękuję"
    r"|с уважением|спасибо|всего (?:хорошего|доброго)|з повагою|дякую"
    r"|med vänliga hälsningar|vänliga hälsningar|hälsningar|mvh|med venlig hilsen|venlig hilsen"
    r"|med vennlig hilsen|vennlig hilsen|hilsen|tack|takk|tak"
    r"|ystävällisin terveisin|terveisin|kiitos|s pozdravem|děkuji|üdvözlettel|köszönöm"
    r"|saygılarımla|teşekkürler|よろしくお願いします|よろしくお願いいたします|谢谢|此致|祝好"
    r")\b[^\n]{0,30}?[,.!:;]*\s*$",
    _I,
)
SALUTATION = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening)|hiya|howdy"
    r"|bonjour|bonsoir|salut|cher|chère|chers|chères|hola|estimad[oa]s?|buenos días|buenas"
    r"|olá|ola|oi|prezad[oa]s?|caro|cara|cari|care|ciao|buongiorno|salve|gentile|gentili"
    r"|hallo|liebe|lieber|sehr geehrte[r]?|guten (?:tag|morgen)|moin|servus|beste|geachte"
    r"|witam|dzień dobry|szanown[aiy]|здравствуйте|привет|добрый день|уважаем\w*|вітаю"
    r"|hej|hei|moi|hyvä|dobrý den|ahoj|kedves|tisztelt|merhaba|こんにちは|お世話になっております|您好|你好)"
    r"\b[^\n]{0,60}|[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,2}\s*(?:,|-|:))\s*[,:!\-–]?\s*$",
    _I,
)
SALUTATION_STRICT = re.compile(r"^\s*[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,2}\s*(?:,|-|:)\s*$")

# Lines that make a trailing block read like a signature.
PHONE = re.compile(
    r"(?:\b(?:tel|phone|fax|mobile|mob|cell|office|direct|ph|t|m|f|p)\b\.?\s*[:.]?\s*)?"
    r"(?:\+?\d[\d\s().\-/]{6,}\d)",
    _I,
)
PHONE_LABEL = re.compile(r"\b(?:tel|phone|fax|mobile|mob|cell|handy|téléphone|tél|teléfono|telefone|telefon|telefono|tlf)\b", _I)
URL = re.compile(r"(?:https?://|www\.)\S+", _I)
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
ADDRESS_HINT = re.compile(
    r"\b(?:street|st\.|avenue|ave\.?|road|rd\.|suite|floor|blvd|p\.?o\.? box|rue|calle|strasse|straße"
    r"|via|plaza|university|universit[éàäy]|institute|institut|department|dept\.?|inc\.?|ltd\.?|llc|gmbh"
    r"|corp\.?|corporation|company|s\.a\.|b\.v\.|ag|foundation|school|college|centre|center|ministry)\b",
    _I,
)

# --------------------------------------------------------------------------- footers, disclaimers
MAILMAN_FOOTER_HINT = re.compile(r"mailing list|listinfo|/mailman/|unsubscribe|list archive|posting guide", _I)
FOOTER_START = re.compile(
    r"^\s*(?:You received this message because you are subscribed to"
    r"|To unsubscribe from this group"
    r"|-{5,} ?next part ?-{5,}"
    r"|--~--~-+"
    r"|\[\[alternative HTML version deleted\]\]"
    r"|\[\[alternative (?:text|HTML) version.*\]\])",
    _I,
)
HTML_DELETED = re.compile(r"^\s*\[\[alternative (?:HTML|text).{0,40}deleted\]\]\s*$", _I)
DISCLAIMER_STRONG = re.compile(
    r"intended|privileged|in error|notify|delete|dissemination|distribution|disclosure|unauthori|virus"
    r"|irrtümlich|empfänger|destinat|riservat|geadresseerde|adresat|адресат", _I)
DISCLAIMER_WORDS = re.compile(
    r"confidential(?!ity agreement)|intended (?:solely )?(?:only )?for the (?:use|addressee)|intended recipient"
    r"|privileged|legally privileged|if you (?:have )?received this (?:e-?mail|message|communication) in error"
    r"|(?:notify|inform) the sender|delete (?:it|this|the) (?:e-?mail|message)|any (?:review|dissemination|distribution|disclosure)"
    r"|unauthori[sz]ed|virus(?:es)?|e-?mail transmission|not be (?:secure|error-free)|disclaimer"
    r"|vertraulich|irrtümlich|empfänger|benachrichtigen sie|confidentiel|destinataire|strictement"
    r"|confidencial|destinatario|destinatário|confidenziale|riservat[oa]|vertrouwelijk|geadresseerde"
    r"|poufn|adresat|конфиденциальн|адресат|konfidentiel|sekretess|luottamuksellinen|důvěrn|bizalmas"
    r"|this (?:e-?mail|message) (?:and any attachments )?(?:is|may contain|contains)",
    _I,
)
# Newsletter / list / webmail footers recognised by what they say.
FOOTER_CONTENT = re.compile(
    r"you are (?:currently )?subscribed to|to unsubscribe|unsubscribe (?:from|send|by|at|here|via)"
    r"|you (?:have )?received this (?:e-?mail|message|newsletter) because|to be removed from"
    r"|this (?:e-?mail|message) was sent to|^do you yahoo!?\?|^get (?:more from the web|your free)"
    r"|manage your subscription|change your (?:e-?mail )?(?:preferences|subscription)"
    r"|update your (?:e-?mail )?preferences|view (?:this|it) (?:e-?mail )?in your browser"
    r"|pour vous désabonner|para (?:darte|darse) de baja|abmelden|afmelden|désinscri",
    _I,
)
NAME_LINE = re.compile(r"^[-–—~ ]*[A-ZÀ-Ý][\w'’.-]*(?: [A-ZÀ-Ý]\.?)?(?: [A-ZÀ-Ý][\w'’.-]+){1,3}\s*$")


# --------------------------------------------------------------------------- fast twins
# The non-ASCII characters that IGNORECASE lets match an ASCII letter (all of them: found by
# trying every code point), and that letter: in a twin they must also match it.
_TO_ASCII = {"İ": "i", "ı": "i", "ſ": "s", "K": "k"}
_TOKEN = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]])*\]|.", re.DOTALL)  # escape, class, character


def _fold_token(m: re.Match[str]) -> str:
    """One token of an IGNORECASE pattern as its twin reads lower-cased ASCII text: escapes
    ("\\S", "\\W") stay, ASCII capitals become small, "ı" becomes "[ıi]"."""
    tok = m.group(0)
    if tok[0] == "\\":
        return tok
    if tok[0] == "[" and len(tok) > 1:
        inner = _TOKEN.sub(lambda t: t.group(0) if t.group(0)[0] == "\\" else
                           t.group(0).lower() + _TO_ASCII.get(t.group(0), ""), tok[1:-1])
        return "[" + inner + "]"
    if tok in _TO_ASCII:
        return f"[{tok}{_TO_ASCII[tok]}]"
    return tok.lower() if tok.isascii() else tok


class Folded:
    """An IGNORECASE pattern with a case-sensitive twin that reads lower-cased ASCII text.

    On ASCII text, ``rx.search(s)`` and ``low.search(s.lower())`` find the same spans: the
    only Unicode case folds that reach ASCII letters ('K' for k, 'ſ' for s, 'İ' for i) need
    a non-ASCII character in the text, and non-ASCII text goes to ``rx`` itself. re's
    IGNORECASE matching is slow: on the lines of 3,000 gen_mbox bodies the twin was 3 to 6
    times faster (WROTE_END 20 -> 4.4 us a line, DISCLAIMER_WORDS 29 -> 5.2, ADDRESS_HINT
    12.6 -> 3.1, CLOSING 3.5 -> 1.1, URL 2.4 -> 0.8), lower() costing 0.1 us.
    """

    __slots__ = ("low", "rx")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.low = re.compile(_TOKEN.sub(_fold_token, rx.pattern), rx.flags & ~re.IGNORECASE)

    def search(self, s: str) -> re.Match[str] | None:
        return self.low.search(s.lower()) if s.isascii() else self.rx.search(s)

    def match(self, s: str) -> re.Match[str] | None:
        return self.low.match(s.lower()) if s.isascii() else self.rx.match(s)


WROTE_END_F = Folded(WROTE_END)
CLOSING_F = Folded(CLOSING)
MOBILE_SIG_F = Folded(MOBILE_SIG)
URL_F = Folded(URL)
PHONE_F = Folded(PHONE)
PHONE_LABEL_F = Folded(PHONE_LABEL)
ADDRESS_HINT_F = Folded(ADDRESS_HINT)
DISCLAIMER_WORDS_F = Folded(DISCLAIMER_WORDS)
DISCLAIMER_STRONG_F = Folded(DISCLAIMER_STRONG)
FOOTER_CONTENT_F = Folded(FOOTER_CONTENT)
MAILMAN_FOOTER_HINT_F = Folded(MAILMAN_FOOTER_HINT)
SALUTATION_F = Folded(SALUTATION)
