"""Customer and agent messages for the sandbox, from templates and slots.

Written to read like real helpdesk email in English and German: greetings, quoted earlier
replies, signatures, HTML now and then, shouting and threats in the hostile ones.
"""

from __future__ import annotations

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
    if rng.random() < 0.2:
        body += "\n\nSent from my iPhone" if lang == "en" else "\n\nVon meinem iPhone gesendet"
    if previous_agent_text and rng.random() < 0.5:
        header = (f"On {when} Support <support@example.com> wrote:" if lang == "en"
                  else f"Am {when} schrieb Support <support@example.com>:")
        quoted = "\n".join("> " + q for q in previous_agent_text.splitlines())
        body += f"\n\n{header}\n{quoted}"
    if rng.random() < 0.25:
        paragraphs = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))
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
