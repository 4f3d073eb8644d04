"""Customer and agent messages for the sandbox, from templates and slots.

Written to read like real helpdesk email in English and German: greetings, quoted earlier
replies, signatures, HTML now and then, shouting and threats in the hostile ones.
"""

from __future__ import annotations

import html
import random

PRODUCTS = ["invoice", "subscription", "order", "account", "router", "app", "delivery", "card"]
PRODUKTE = ["Rechnung", "Abo", "Bestellung", "Konto", "Router", "App", "Lieferung", "Karte"]
NAMES = ["Maria", "James", "Aisha", "Tom", "Lena", "Jonas", "Sofia", "Omar", "Emma", "Lukas",
         "Priya", "Noah", "Mia", "Felix", "Chloe", "Ben", "Hannah", "Leon"]

EN = {
    "neutral": [
        "could you tell me how to change the billing address on my {p}?",
        "I was charged twice for my {p} this month, can you check what happened?",
        "my {p} shows an error when I try to log in. Is there a known issue?",
        "is it possible to move my {p} to another email address?",
        "I haven't received the confirmation for my {p} yet. Could you look into it?",
        "what are the opening hours of your phone support?",
        "the {p} arrived but one part seems to be missing. What should I do?",
        "can I get a copy of last month's {p} as a PDF?",
        "I'd like to cancel my {p} at the end of the month. How do I do that?",
        "since the last update my {p} behaves strangely. Any idea why?",
    ],
    "hostile": [
        "This is the THIRD time I'm asking about my {p}. WHERE IS MY REFUND?!",
        "You people are completely incompetent. My {p} has been broken for two weeks!!!",
        "I am sick of your excuses. Fix my {p} TODAY or I will contact my lawyer.",
        "Absolutely useless service. Nobody answers, nobody cares. Cancel my {p} NOW!!",
        "This is a scam. You took my money for the {p} and delivered NOTHING.",
        "Are you kidding me?? Still no answer about my {p}. Worst support I have ever seen.",
        "I want to speak to a manager immediately. This is unacceptable!!!",
        "If my {p} is not fixed by tomorrow I'm filing a chargeback and writing reviews.",
    ],
    "thankful": [
        "thank you so much, the {p} works perfectly now! You were incredibly helpful.",
        "just wanted to say thanks for the quick help with my {p}. Great support!",
        "brilliant, that solved it. I really appreciate your patience.",
        "you're a lifesaver, thanks a lot for sorting out my {p} so fast!",
    ],
}
DE = {
    "neutral": [
        "wie kann ich die Rechnungsadresse für mein {p} ändern?",
        "mir wurde diesen Monat zweimal für mein {p} abgebucht. Können Sie das prüfen?",
        "beim Anmelden in der {p} erscheint eine Fehlermeldung. Gibt es ein bekanntes Problem?",
        "ich habe noch keine Bestätigung für meine {p} erhalten. Könnten Sie nachsehen?",
        "kann ich eine Kopie der letzten {p} als PDF bekommen?",
        "wann ist Ihre telefonische Hotline erreichbar?",
        "ich möchte mein {p} zum Monatsende kündigen. Was muss ich dafür tun?",
        "seit dem letzten Update funktioniert die {p} nicht mehr richtig.",
    ],
    "hostile": [
        "Das ist eine Frechheit! Ich warte seit Wochen auf meine {p}!!!",
        "Zum dritten Mal: WO BLEIBT MEINE ERSTATTUNG?! Unfassbar inkompetent.",
        "Wenn das heute nicht gelöst wird, schalte ich meinen Anwalt ein.",
        "Ich kündige sofort. Ihr Saftladen ist eine einzige Zumutung!!",
        "Schon wieder keine Antwort. Das ist Abzocke, ich verlange mein Geld zurück!!!",
        "Ich will sofort mit Ihrem Vorgesetzten sprechen. Unverschämt, wie Sie mit Kunden umgehen!",
    ],
    "thankful": [
        "vielen Dank, jetzt funktioniert alles! Sie waren eine große Hilfe.",
        "danke für die schnelle Hilfe mit meiner {p}, super Service!",
        "herzlichen Dank für Ihre Geduld, das Problem ist gelöst.",
    ],
}
EXTRA_EN = {
    "neutral": ["My customer number is {n}.", "The reference on the email was #{n}.",
                "I already tried restarting everything.", "No rush, just want to understand it.",
                "I tried the help centre article but it didn't help.", ""],
    "hostile": ["I have called {k} times and nobody picks up!!!", "Order #{n}. AGAIN.",
                "I will contact my lawyer if this isn't resolved.",
                "I want to cancel everything and I want my money back.",
                "I'm posting this on every review site I can find.",
                "Do you even read these emails???", "UNBELIEVABLE."],
    "thankful": ["Please pass my thanks to your team.", "Five stars from me!",
                 "Best support experience I've had in years.", "Have a great day!", ""],
}
EXTRA_DE = {
    "neutral": ["Meine Kundennummer ist {n}.", "Die Vorgangsnummer lautet #{n}.",
                "Einen Neustart habe ich schon versucht.", "Es eilt nicht, danke im Voraus.",
                "Der Artikel im Hilfecenter hat leider nicht geholfen.", ""],
    "hostile": ["Ich habe {k} Mal angerufen und niemand geht ran!!!",
                "Ich schalte meinen Anwalt ein.", "Ich werde den Vertrag kündigen!!",
                "Vorgang #{n}. SCHON WIEDER.", "Lesen Sie meine E-Mails überhaupt???",
                "Das melde ich der Verbraucherzentrale.", "UNGLAUBLICH."],
    "thankful": ["Bitte richten Sie meinen Dank an das ganze Team aus.", "Fünf Sterne von mir!",
                 "So einen guten Support hatte ich selten.", "Einen schönen Tag noch!", ""],
}
SIGNATURES = ["", "\n--\n{name} | Accounting | Meyer & Sons GmbH\nTel. +49 30 {n}",
              "\n--\nSent from Mail for Windows", "\n{name}\nCustomer since 2019"]
AGENT_EN = ["Thanks for reaching out. I've looked into your {p} and {fix}.",
            "I'm sorry about the trouble with your {p}. I have {fix}.",
            "Thank you for your patience. I {fix} for your {p}."]
AGENT_DE = ["Vielen Dank für Ihre Nachricht. Ich habe Ihre {p} geprüft und {fix}.",
            "Entschuldigen Sie die Unannehmlichkeiten mit Ihrer {p}. Ich habe {fix}."]
FIX_EN = ["issued a refund", "reset the settings", "escalated it to our billing team",
          "sent you a new confirmation"]
FIX_DE = ["eine Erstattung veranlasst", "die Einstellungen zurückgesetzt",
          "es an unser Abrechnungsteam weitergegeben"]
NOTES = ["Customer called as well, see call log.", "Checked the payment provider: two charges.",
         "Escalating to tier 2, please keep an eye on this one.", "Kunde ist sehr verärgert."]
SUBJECTS_EN = ["Problem with my {p}", "Question about {p}", "{p} not working", "Re: your {p}"]
SUBJECTS_DE = ["Problem mit meiner {p}", "Frage zu {p}", "{p} funktioniert nicht"]


def customer_message(rng: random.Random, lang: str, mood: str, name: str,
                     previous_agent_text: str | None, when: str) -> tuple[str, bool]:
    """A customer's email body; returns (text, is_html)."""
    table, products = (EN, PRODUCTS) if lang == "en" else (DE, PRODUKTE)
    line = rng.choice(table[mood]).format(p=rng.choice(products))
    extra = rng.choice((EXTRA_EN if lang == "en" else EXTRA_DE)[mood])
    if extra:
        extra = extra.format(n=rng.randrange(10_000, 99_999), k=rng.randrange(3, 9))
        line = f"{line} {extra}" if rng.random() < 0.5 else f"{line}\n\n{extra}"
    if lang == "en":
        greeting = "" if mood == "hostile" and rng.random() < 0.6 else rng.choice(
            ["Hi,", "Hello,", "Hi there,", "Dear support,"]) + "\n\n"
        closing = rng.choice(["Thanks,", "Best regards,", "Regards,", "Cheers,"])
    else:
        greeting = "" if mood == "hostile" and rng.random() < 0.6 else rng.choice(
            ["Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,"]) + "\n\n"
        closing = rng.choice(["Viele Grüße", "Mit freundlichen Grüßen", "Beste Grüße"])
    if greeting and line[0].isalpha() and lang == "en":
        line = line[0].upper() + line[1:]
    body = f"{greeting}{line}\n\n{closing}\n{name}"
    body += rng.choice(SIGNATURES).format(name=name, n=rng.randrange(1_000_000, 9_999_999))
    if rng.random() < 0.2:
        body += "\n\nSent from my iPhone" if lang == "en" else "\n\nVon meinem iPhone gesendet"
    if previous_agent_text and rng.random() < 0.5:
        header = (f"On {when} Support <support@example.com> wrote:" if lang == "en"
                  else f"Am {when} schrieb Support <support@example.com>:")
        quoted = "\n".join("> " + q for q in previous_agent_text.splitlines())
        body += f"\n\n{header}\n{quoted}"
    if rng.random() < 0.25:
        paragraphs = "".join(f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>"
                             for p in body.split("\n\n"))
        return f"<div>{paragraphs}</div>", True
    return body, False


def agent_reply(rng: random.Random, lang: str, agent_name: str) -> str:
    if lang == "en":
        text = rng.choice(AGENT_EN).format(p=rng.choice(PRODUCTS), fix=rng.choice(FIX_EN))
        return f"Hi,\n\n{text}\n\nBest regards,\n{agent_name}"
    text = rng.choice(AGENT_DE).format(p=rng.choice(PRODUKTE), fix=rng.choice(FIX_DE))
    return f"Hallo,\n\n{text}\n\nViele Grüße\n{agent_name}"


def internal_note(rng: random.Random) -> str:
    return rng.choice(NOTES)


def subject(rng: random.Random, lang: str) -> str:
    options, products = (SUBJECTS_EN, PRODUCTS) if lang == "en" else (SUBJECTS_DE, PRODUKTE)
    return rng.choice(options).format(p=rng.choice(products))
