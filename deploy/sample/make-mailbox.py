#!/usr/bin/env python3
"""Writes the sample mailbox: deploy/sample/mailbox/NNN-*.eml and MANIFEST.json.

Varied requests in eight languages across the sample catalog, replies on earlier requests, an
out-of-office, bounces, requests for a person, safety concerns, supplier cases, a duplicate and
a message whose MIME structure is broken. Deterministic: the same files every run.
Run it from the checkout: deploy/sample/make-mailbox.py
"""
import base64
import json
import os
import random
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "mailbox")
random.seed(20261121)

PEOPLE = [
    ("Anna Berg", "anna.berg@example.com", "en"), ("Ben Carter", "ben.carter@example.com", "en"),
    ("Chloe Adams", "chloe.adams@example.co.uk", "en"), ("David Okafor", "d.okafor@example.com", "en"),
    ("Karin Schulz", "karin.schulz@example.de", "de"), ("Jonas Becker", "j.becker@example.de", "de"),
    ("Lena Fischer", "lena.fischer@example.at", "de"), ("Marc Dubois", "marc.dubois@example.fr", "fr"),
    ("Sophie Laurent", "s.laurent@example.fr", "fr"), ("Lucía García", "lucia.garcia@example.es", "es"),
    ("Javier Ruiz", "javier.ruiz@example.es", "es"), ("Giulia Rossi", "giulia.rossi@example.it", "it"),
    ("Marco Bianchi", "m.bianchi@example.it", "it"), ("Inês Costa", "ines.costa@example.pt", "pt"),
    ("Pedro Santos", "pedro.santos@example.com.br", "pt"), ("Sanne de Vries", "sanne.devries@example.nl", "nl"),
    ("Daan Jansen", "daan.jansen@example.nl", "nl"), ("Katarzyna Nowak", "k.nowak@example.pl", "pl"),
    ("Piotr Wiśniewski", "piotr.w@example.pl", "pl"), ("Emma Wilson", "emma.wilson@example.com", "en"),
]

# (subject, body) per language: everyday requests across the catalog.
REQUESTS = {
    "en": [
        ("Forgot my password", "Hi, I forgot my password and now my account is locked after too many attempts. Can you reset it?"),
        ("Access to the finance folder", "Hello, I moved to the finance team and need access to the finance shared folder."),
        ("Authenticator on my new phone", "I got a new phone and my authenticator app does not show codes anymore, so I cannot sign in."),
        ("Laptop will not start", "My laptop does not start since this morning, the screen stays black even when charging."),
        ("Printer on floor 3 jammed", "The printer on floor 3 shows a paper jam but there is no paper stuck. Nobody can print."),
        ("Need a second monitor", "Could I get a second monitor and a docking station for my desk?"),
        ("Excel keeps crashing", "Excel crashes every time I open the quarterly report. I already restarted twice."),
        ("Need a Visio licence", "Please install Visio on my laptop, I need it for the network diagrams."),
        ("VPN does not connect", "The VPN client says authentication failed when I work from home. It worked yesterday."),
        ("Wi-Fi very slow in meeting room", "The Wi-Fi in meeting room B is extremely slow, video calls keep dropping."),
        ("Suspicious email", "I received an email asking me to confirm my password on a strange website. I think it is phishing."),
        ("New starter on Monday", "We have a new colleague starting on Monday. Please prepare a laptop, an account and a phone."),
        ("Outlook calendar not syncing", "My Outlook calendar does not sync with my phone since the update."),
        ("Shared mailbox access", "Please give me permission to the sales shared mailbox."),
    ],
    "de": [
        ("Passwort vergessen", "Hallo, ich habe mein Passwort vergessen und kann mich nicht mehr anmelden. Bitte zurücksetzen."),
        ("Drucker druckt nicht", "Unser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr, der Auftrag bleibt hängen."),
        ("Laptop startet nicht", "Mein Laptop startet nicht mehr, der Bildschirm bleibt schwarz."),
        ("VPN funktioniert nicht", "Von zu Hause aus kann ich mich nicht mit dem VPN verbinden, es kommt immer eine Fehlermeldung."),
        ("Zugriff auf Ordner", "Ich brauche Zugriff auf den Ordner der Buchhaltung für das Projekt."),
        ("Neue Maus und Tastatur", "Ich brauche eine neue Maus und Tastatur, die alten sind kaputt."),
        ("Zwei-Faktor auf neuem Handy", "Die Zwei-Faktor-Authentifizierung funktioniert auf dem neuen Handy nicht."),
        ("Software installieren", "Bitte installieren Sie mir die Software für die Zeiterfassung auf meinem Rechner."),
    ],
    "fr": [
        ("Mot de passe expiré", "Bonjour, mon mot de passe a expiré et je ne peux plus me connecter à mon compte."),
        ("Imprimante en panne", "L'imprimante du troisième étage ne fonctionne plus, elle affiche une erreur."),
        ("Accès au dossier partagé", "J'ai besoin d'un accès au dossier partagé du projet marketing."),
        ("Wi-Fi instable", "Le Wi-Fi se coupe sans arrêt dans notre bureau depuis lundi."),
        ("Ordinateur très lent", "Mon ordinateur portable est très lent et le ventilateur fait beaucoup de bruit."),
    ],
    "es": [
        ("Olvidé mi contraseña", "Hola, olvidé mi contraseña y no puedo iniciar sesión. ¿Pueden restablecerla?"),
        ("La impresora no imprime", "La impresora de la segunda planta no imprime nada desde ayer."),
        ("No funciona la VPN", "No puedo conectarme a la VPN desde casa, dice que la autenticación ha fallado."),
        ("Portátil no enciende", "Mi portátil no enciende, la pantalla se queda en negro."),
    ],
    "it": [
        ("Password dimenticata", "Buongiorno, ho dimenticato la password e il mio account è bloccato."),
        ("Stampante non funziona", "La stampante del primo piano non stampa più, segnala un inceppamento."),
        ("Accesso alla cartella", "Ho bisogno di accedere alla cartella condivisa del reparto vendite."),
        ("Portatile lento", "Il mio portatile è diventato lentissimo dopo l'ultimo aggiornamento."),
    ],
    "pt": [
        ("Esqueci a minha palavra-passe", "Olá, esqueci a minha palavra-passe e não consigo entrar na conta."),
        ("Impressora avariada", "A impressora do segundo andar não imprime desde esta manhã."),
        ("VPN não liga", "Não consigo ligar-me à VPN a partir de casa, dá sempre erro de autenticação."),
    ],
    "nl": [
        ("Wachtwoord vergeten", "Hallo, ik ben mijn wachtwoord vergeten en mijn account is geblokkeerd."),
        ("Printer werkt niet", "De printer op de eerste verdieping print niet meer, er staat een foutmelding."),
        ("Toegang tot gedeelde map", "Ik heb toegang nodig tot de gedeelde map van de afdeling financiën."),
    ],
    "pl": [
        ("Zapomniałem hasła", "Dzień dobry, zapomniałem hasła i nie mogę się zalogować do konta."),
        ("Drukarka nie drukuje", "Drukarka na drugim piętrze nie drukuje od rana."),
        ("Problem z VPN", "Nie mogę połączyć się z VPN z domu, pojawia się błąd uwierzytelniania."),
    ],
}

HUMAN = [
    ("en", "I want to talk to a person", "Your automatic answers did not help at all. I want to talk to a real person, please call me."),
    ("de", "Bitte einen Menschen", "Ich möchte bitte mit einem Mitarbeiter sprechen, nicht mit einem Bot."),
    ("fr", "Parler à quelqu'un", "Je voudrais parler à une personne, pas à un robot. Merci de me rappeler."),
]
SAFETY = [
    ("en", "Smoke from laptop charger", "The charger of my laptop got very hot and there was smoke coming out of it. I unplugged it."),
    ("de", "Kabel verschmort", "Am Netzteil unter meinem Schreibtisch riecht es verbrannt, das Kabel ist verschmort."),
    ("en", "Battery swelling", "The battery of my laptop is swollen and the case is bending. Is it dangerous to keep using it?"),
]
SUPPLIER = [
    ("en", "Laptops from Laptop Direct not delivered", "The five laptops we ordered from Laptop Direct two weeks ago have still not arrived. Can you track the shipment?"),
    ("en", "Return damaged monitor to Parts Inc", "The monitor we got from Parts Inc arrived with a cracked screen. Please arrange the return."),
    ("de", "Lieferung von Parts Inc fehlt", "Unsere Bestellung bei Parts Inc ist immer noch nicht geliefert worden. Bitte nachverfolgen."),
]
REPLIES_OK = {
    "en": "Thanks, that worked! Everything is fine now.",
    "de": "Danke, das hat funktioniert, jetzt geht alles wieder.",
    "fr": "Merci, cela a fonctionné, tout va bien maintenant.",
    "es": "Gracias, ya funciona todo.",
}
REPLIES_STILL = {
    "en": "I tried that but it still does not work. The same error appears.",
    "de": "Das habe ich versucht, aber es geht immer noch nicht.",
    "it": "Ho provato ma non funziona ancora.",
    "nl": "Dat heb ik geprobeerd, maar het werkt nog steeds niet.",
}

start = datetime(2026, 11, 16, 7, 30, tzinfo=timezone.utc)
messages = []  # (filename, bytes, kind)


def display_name(name):
    # Non-ASCII names as RFC 2047 words (Q-encoding of the UTF-8 bytes).
    if name.isascii():
        return name
    return "=?UTF-8?Q?" + "".join(c if c.isalnum() and c.isascii() else "".join(f"={b:02X}" for b in c.encode()) for c in name) + "?="


def plain(sender, subject, body, when, message_id, extra_headers=()):
    name, address = sender
    encoded_subject = subject if subject.isascii() else "=?UTF-8?B?" + base64.b64encode(subject.encode()).decode() + "?="
    headers = [
        f'From: "{name}" <{address}>' if name.isascii() else f"From: {display_name(name)} <{address}>",
        "To: support@frontline.local",
        f"Subject: {encoded_subject}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{message_id}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        *[f"{k}: {v}" for k, v in extra_headers],
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()


def add(kind, data):
    messages.append((kind, data))


when = start
sent_by_person = {}
# New requests: every person writes several, in their language.
number = 0
for round_ in range(9):
    for name, address, language in PEOPLE:
        number += 1
        subject, body = random.choice(REQUESTS[language])
        when += timedelta(minutes=random.randint(3, 40))
        greeting = {"en": "Best regards", "de": "Viele Grüße", "fr": "Cordialement", "es": "Saludos", "it": "Cordiali saluti",
                    "pt": "Cumprimentos", "nl": "Groeten", "pl": "Pozdrawiam"}[language]
        message_id = f"sample-{number:03d}@{address.split('@')[1]}"
        text = f"{body}\n\n{greeting}\n{name}"
        add("new_ticket", plain((name, address), subject, text, when, message_id))
        sent_by_person.setdefault(address, []).append((message_id, subject, language, name))

for language, subject, body in HUMAN + SAFETY + SUPPLIER:
    number += 1
    name, address, _ = random.choice([p for p in PEOPLE if p[2] == language])
    when += timedelta(minutes=random.randint(3, 30))
    add("new_ticket", plain((name, address), subject, f"{body}\n\n{name}", when, f"sample-{number:03d}@{address.split('@')[1]}"))

# Replies on earlier requests, threaded by References to the customer's own message.
for index, (address, sent) in enumerate(sorted(sent_by_person.items())[:14]):
    original, subject, language, name = sent[0]
    text = (REPLIES_OK if index % 2 == 0 else REPLIES_STILL).get(language) or REPLIES_OK["en"]
    number += 1
    when += timedelta(minutes=random.randint(5, 60))
    add("reply", plain((name, address), f"Re: {subject}", text, when, f"sample-{number:03d}@{address.split('@')[1]}",
                       [("In-Reply-To", f"<{original}>"), ("References", f"<{original}>")]))

# Out-of-office answers: flagged automatic, never answered.
for name, address, subject in [("Emma Wilson", "emma.wilson@example.com", "Automatic reply: Your request"),
                               ("Jonas Becker", "j.becker@example.de", "Abwesenheitsnotiz: Ihre Anfrage"),
                               ("Marc Dubois", "marc.dubois@example.fr", "Réponse automatique : absent du bureau")]:
    number += 1
    when += timedelta(minutes=7)
    add("new_ticket", plain((name, address), subject, "I am out of the office until Monday with limited access to email.",
                            when, f"sample-{number:03d}@{address.split('@')[1]}",
                            [("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")]))

# Bounces of mail we never sent (a stale address): stored, linked to nothing, never answered.
for failed in ["old.colleague@example.com", "left.company@example.de"]:
    number += 1
    when += timedelta(minutes=11)
    boundary = f"bounce{number}"
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            f"Delivery to the following recipient failed permanently:\r\n\r\n    {failed}\r\n\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
            f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--{boundary}--\r\n")
    head = "\r\n".join([
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>", "To: support@frontline.local",
        "Subject: Undelivered Mail Returned to Sender", f"Date: {format_datetime(when)}",
        f"Message-ID: <sample-{number:03d}@mx.example.com>", "Auto-Submitted: auto-replied", "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
    ])
    add("bounce", (head + "\r\n\r\n" + body).encode())

# A message whose multipart structure is broken (the boundary never appears): quarantined.
number += 1
when += timedelta(minutes=5)
head = "\r\n".join([
    "From: Broken Client <broken@example.com>", "To: support@frontline.local", "Subject: Scan attached",
    f"Date: {format_datetime(when)}", f"Message-ID: <sample-{number:03d}@example.com>", "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="never-used"',
])
add("quarantined", (head + "\r\n\r\nThis is the scan you asked for.\r\n").encode())

# The same message delivered twice (a client retry): one ticket.
duplicate = messages[5][1]
add("duplicate", duplicate)

os.makedirs(OUT, exist_ok=True)
for old in os.listdir(OUT):
    os.remove(os.path.join(OUT, old))
counts = {}
for index, (kind, data) in enumerate(messages, start=1):
    with open(os.path.join(OUT, f"{index:03d}-{kind}.eml"), "wb") as handle:
        handle.write(data)
    counts[kind] = counts.get(kind, 0) + 1
with open(os.path.join(OUT, "MANIFEST.json"), "w") as handle:
    json.dump({"messages": len(messages), "by_kind": counts}, handle, indent=2, sort_keys=True)
    handle.write("\n")
print(f"wrote {len(messages)} messages to {OUT}: {counts}")
