#!/usr/bin/env python3
"""Build miner's demo corpus: an ILLUSTRATIVE archive of "gov-cop".

gov-cop@lists.example.org is an invented community-of-practice mailing list
on democratic governance.  Every person, organisation, address, link and
document named here is invented; all domains are example.org / example.net /
example.com / example.edu style.  Countries are real so that place
extraction has something to find, but the experiences attributed to them
are fictional composites written for testing.

Run ``python corpora/demo/build_demo.py`` (stdlib only, deterministic) to
write, next to this file:

* ``gov-cop.mbox``            - mboxrd mailbox of every message as delivered
                                 (Mailman footer appended) plus one plain-text
                                 Mailman digest;
* ``pipermail/YYYY-Month.txt.gz`` - Mailman 2 pipermail monthly text archives
                                 of the same messages (decoded, addresses
                                 obfuscated as "user at domain"; the digest is
                                 not archived, as in Mailman);
* ``answers.json``            - answer key used by the tests.

The content lives in PEOPLE and THREADS below; the code at the bottom turns
it into raw RFC 5322 messages (RFC 2047 headers, quoted-printable / base64 /
8bit bodies in UTF-8 or ISO-8859-1, Outlook top-posting, Gmail/Thunderbird
bottom-posting, inline replies, signatures, a disclaimer, list footers).
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import quopri
import re
import textwrap
from email.header import Header
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIST_ADDR = "gov-cop@lists.example.org"
LIST_ID = "<gov-cop.lists.example.org>"
LIST_NAME = "gov-cop"
LISTINFO = "https://lists.example.org/mailman/listinfo/gov-cop"
FOOTER = ("_______________________________________________\n"
          "gov-cop mailing list\n"
          "gov-cop@lists.example.org\n"
          "https://lists.example.org/mailman/listinfo/gov-cop\n")

DISCLAIMER = (
    "This e-mail and any attachments are confidential and may be legally "
    "privileged. They are intended solely for the use of the addressee. If you "
    "have received this e-mail in error, please notify the sender immediately "
    "and delete it from your system. Any views or opinions expressed are those "
    "of the author and do not necessarily represent those of the Electoral "
    "Commission (example). The Commission accepts no liability for any damage "
    "caused by viruses transmitted by this e-mail.")

# ---------------------------------------------------------------------------
# People.  key -> dict.  "person" groups several identities of one human.
#   client: outlook (top-posting, "-----Original Message-----"),
#           outlook365 (top-posting, "________________" + From/Sent block),
#           gmail (bottom-posting, "On ... wrote:"),
#           thunderbird (bottom-posting, hard-wrapped at 72 columns)
#   lang:   locale of the mail client (reply header language)
#   enc:    body transfer encoding preference for non-ASCII bodies
#   sig:    "dash" ("-- " delimiter), "plain" (no delimiter), "none"
# ---------------------------------------------------------------------------


def P(name, email, title, org, country, tz, client="gmail", lang="en",
      charset="utf-8", enc="qp", sig="plain", extra=(), person=None,
      disclaimer=False):
    return dict(name=name, email=email, title=title, org=org, country=country,
                tz=tz, client=client, lang=lang, charset=charset, enc=enc,
                sig=sig, extra=list(extra), person=person,
                disclaimer=disclaimer)


PEOPLE = {
    "helena": P("Helena Brandt", "helena.brandt@gpn.example.org",
                "Knowledge Facilitator",
                "Democratic Governance Practice Network Secretariat", "Norway",
                "+0100", client="outlook", sig="plain",
                extra=["gov-cop facilitation team",
                       "https://www.gpn.example.org/gov-cop"]),
    "admin": P("gov-cop list administrator", "gov-cop-owner@lists.example.org",
               "", "", "", "+0000", client="gmail", sig="none"),
    "wanjiru": P("Grace Wanjiru Kamau", "g.kamau@ngo-ke.example.org",
                 "Governance Adviser", "County Governance Support Programme",
                 "Kenya", "+0300", client="gmail", sig="dash",
                 extra=["Nairobi", "Tel: +254 20 000 0123"]),
    "kwame": P("Kwame Mensah", "kwame.mensah@ec-gh.example.org",
               "Director, ICT and Voter Registration",
               "Electoral Commission (example)", "Ghana", "+0000",
               client="outlook", sig="plain", disclaimer=True,
               extra=["Accra"], person="kwame"),
    "kwame2": P("Kwame A. Mensah", "kwamemensah@mail.example.com",
                "Director, ICT and Voter Registration",
                "Electoral Commission (example)", "Ghana", "+0000",
                client="gmail", sig="none", person="kwame"),
    "ana": P("Ana María López", "ana.lopez@registro-electoral.example.org",
             "Jefa de Participación Ciudadana",
             "Registro Electoral Nacional (ejemplo)", "Colombia", "-0500",
             client="outlook365", lang="es", charset="iso-8859-1", enc="qp",
             sig="plain", extra=["Bogotá"], person="ana"),
    "ana2": P("Ana Maria Lopez", "anamarialopez@mail.example.net",
              "Jefa de Participación Ciudadana",
              "Registro Electoral Nacional (ejemplo)", "Colombia", "-0500",
              client="gmail", lang="es", charset="utf-8", enc="8bit",
              sig="none", person="ana"),
    "jose": P("José Luis Quispe Mamani", "jlquispe@municipios-bo.example.org",
              "Oficial de Programa", "Fundación Municipios Abiertos (ejemplo)",
              "Bolivia", "-0400", client="thunderbird", lang="es",
              charset="utf-8", enc="8bit", sig="dash", extra=["La Paz"]),
    "monica": P("Mónica Herrera", "mherrera@municipio-mx.example.org",
                "Coordinadora de Gobierno Abierto",
                "Gobierno Municipal de San Andrés (ejemplo)", "Mexico",
                "-0600", client="gmail", lang="es", charset="utf-8", enc="qp",
                sig="plain"),
    "aissatou": P("Aïssatou Ndiaye", "a.ndiaye@adl-sn.example.org",
                  "Chargée de programme Gouvernance locale",
                  "Agence de Développement Local (exemple)", "Senegal",
                  "+0000", client="outlook", lang="fr",
                  charset="iso-8859-1", enc="qp", sig="plain",
                  extra=["Dakar"]),
    "francois": P("François Kaboré", "francois.kabore@matd-bf.example.org",
                  "Conseiller en décentralisation",
                  "Ministère de l'Administration Territoriale (exemple)",
                  "Burkina Faso", "+0000", client="thunderbird", lang="fr",
                  charset="utf-8", enc="8bit", sig="dash",
                  extra=["Ouagadougou"]),
    "youssef": P("Youssef El Amrani", "y.elamrani@gouvlocale-ma.example.org",
                 "Program Manager, Transparency and Local Governance",
                 "Observatoire de la Gouvernance Locale (exemple)", "Morocco",
                 "+0100", client="gmail", lang="fr", sig="plain"),
    "priya": P("Priya Raman", "priya.raman@cdg-in.example.org",
               "Senior Researcher",
               "Centre for Decentralised Governance (example)", "India",
               "+0530", client="gmail", sig="dash",
               extra=["Bengaluru"]),
    "bikash": P("Bikash Shrestha", "bikash.shrestha@municipal-np.example.org",
                "Local Governance Specialist",
                "Municipal Association (example)", "Nepal", "+0545",
                client="outlook", sig="plain", extra=["Kathmandu"]),
    "maria": P("Maria Theresa Santos", "mtsantos@budget-ph.example.org",
               "Executive Director", "Citizens' Budget Network (example)",
               "Philippines", "+0800", client="outlook365", sig="plain",
               extra=["Quezon City", "www.budget-ph.example.org"]),
    "huong": P("Nguyễn Thị Hương", "huong.nguyen@gov-vn.example.org",
               "Governance Programme Analyst",
               "Institute for Public Administration Studies (example)",
               "Viet Nam", "+0700", client="gmail", charset="utf-8",
               enc="b64", sig="plain", extra=["Ha Noi"]),
    "dragos": P("Dragoș Munteanu", "dragos.munteanu@gov-md.example.org",
                "Open Government Adviser", "State Chancellery (example)",
                "Moldova", "+0200", client="thunderbird", charset="utf-8",
                enc="qp", sig="dash", extra=["Chișinău"]),
    "olena": P("Olena Kovalenko", "olena@civictech-ua.example.org",
               "Civic Tech Lead", "Open Cities Lab (example)", "Ukraine",
               "+0200", client="gmail", sig="dash", extra=["Kyiv"]),
    "samuel": P("Samuel Okello", "sokello@lga-ug.example.org",
                "Programme Officer",
                "Local Governments Association (example)", "Uganda", "+0300",
                client="outlook", sig="plain", extra=["Kampala"]),
    "chidi": P("Chidinma Eze", "chidinma.eze@youthvote-ng.example.org",
               "Elections Programme Officer", "YouthVote Initiative (example)",
               "Nigeria", "+0100", client="gmail", sig="plain",
               extra=["Abuja", "Twitter: @youthvote_example"]),
    "bjorn": P("Björn Lindqvist", "bjorn.lindqvist@ndf.example.org",
               "Senior Policy Specialist, Democracy",
               "Nordic Democracy Fund (example)", "Sweden", "+0100",
               client="outlook365", charset="iso-8859-1", enc="qp",
               sig="plain", extra=["Stockholm"]),
    "therese": P("Thérèse Mukamana", "t.mukamana@gender-rw.example.org",
                 "Gender and Governance Officer",
                 "Women in Leadership Forum (example)", "Rwanda", "+0200",
                 client="gmail", lang="fr", charset="utf-8", enc="qp",
                 sig="plain", extra=["Kigali"]),
    "ahmed": P("Ahmed Karim", "ahmed.karim@ec-bd.example.org",
               "Electoral Operations Adviser",
               "Election Support Project (example)", "Bangladesh", "+0600",
               client="outlook", sig="plain", extra=["Dhaka"]),
    "siti": P("Siti Rahmawati", "siti.rahmawati@desa-id.example.org",
              "Researcher, Village Governance",
              "Desa Institute (example)", "Indonesia", "+0700",
              client="gmail", sig="dash", extra=["Yogyakarta"]),
    "carlos": P("Carlos Mendoza", "cmendoza@gobabierto-pe.example.org",
                "Asesor de Gobierno Abierto",
                "Red de Municipios Transparentes (ejemplo)", "Peru", "-0500",
                client="outlook", lang="es", charset="iso-8859-1", enc="qp",
                sig="plain", extra=["Lima"]),
    "lucia": P("Lucía Fernández", "lucia.fernandez@mail.example.net",
               "Consultora en Participación Ciudadana", "Independiente",
               "Guatemala", "-0600", client="gmail", lang="es",
               charset="utf-8", enc="8bit", sig="dash",
               extra=["Ciudad de Guatemala"]),
    "jb": P("Jean-Baptiste Mbala", "jb.mbala@gouvernance-cd.example.org",
            "Chef de projet Gouvernance",
            "Centre d'Appui à la Gouvernance (exemple)",
            "Democratic Republic of the Congo", "+0100", client="outlook",
            lang="fr", charset="iso-8859-1", enc="qp", sig="plain",
            extra=["Kinshasa"]),
    "nadia": P("Nadia Ben Salah", "n.bensalah@communes-tn.example.org",
               "Municipal Governance Specialist",
               "Fédération des Communes (exemple)", "Tunisia", "+0100",
               client="thunderbird", lang="fr", charset="utf-8", enc="qp",
               sig="dash", extra=["Tunis"]),
    "tom": P("Tom Whitfield", "t.whitfield@wdf.example.org",
             "Democracy Programme Manager",
             "Westbridge Democracy Foundation (example)", "United Kingdom",
             "+0000", client="outlook365", sig="plain", extra=["London"]),
    "aigerim": P("Aigerim Bekova", "aigerim.bekova@civic-kg.example.org",
                 "Civic Education Coordinator",
                 "Civic Education Centre (example)", "Kyrgyzstan", "+0600",
                 client="gmail", sig="plain", extra=["Bishkek"]),
    "rafael": P("Rafael Costa", "rafael.costa@prefeitura-br.example.org",
                "Participatory Budgeting Coordinator",
                "Municipal Secretariat for Planning (example)", "Brazil",
                "-0300", client="gmail", sig="dash",
                extra=["Porto Alegre"]),
    "mariam": P("Mariam Tesfaye", "mariam.tesfaye@parliament-et.example.org",
                "Parliamentary Development Officer",
                "Parliamentary Support Project (example)", "Ethiopia", "+0300",
                client="outlook", sig="plain", extra=["Addis Ababa"]),
    "leila": P("Leila Haddad", "leila.haddad@youth-lb.example.org",
               "Youth Programme Officer", "Youth Civic Forum (example)",
               "Lebanon", "+0200", client="gmail", sig="plain",
               extra=["Beirut"]),
    "joao": P("João Pereira Belo", "joao.belo@stae-tl.example.org",
              "Electoral Technical Adviser",
              "Technical Secretariat for Electoral Administration (example)",
              "Timor-Leste", "+0900", client="thunderbird", charset="utf-8",
              enc="8bit", sig="dash", extra=["Dili"]),
    "fiona": P("Fiona McAllister", "f.mcallister@research.example.com",
               "Research Fellow, Electoral Integrity",
               "Electoral Integrity Lab (example)", "Australia", "+1000",
               client="thunderbird", sig="dash"),
    "mohamed": P("Mohamed Abdi", "mohamed.abdi@lg-so.example.org",
                 "Local Governance Adviser",
                 "Local Governance Programme (example)", "Somalia", "+0300",
                 client="gmail", sig="plain", extra=["Mogadishu"]),
}

# ---------------------------------------------------------------------------
# Threads.  Each thread: subject, optional tag ("recurring" group, "ediscussion",
# "lang"), and messages M(key, author, date, parent, body, style=...).
#   parent: key of the message replied to (None for the thread starter)
#   style:  None -> from the author's client (outlook*: "top", else "bottom");
#           "top", "bottom", "trim" (bottom-post quoting only the first
#           paragraph), "inline" (body already holds "> " quoted lines),
#           "none" (reply without quoting)
# ---------------------------------------------------------------------------


def M(key, author, date, parent, body, style=None, subject=None, mobile=False):
    return dict(key=key, author=author, date=date, parent=parent,
                body=body.strip("\n"), style=style, subject=subject,
                mobile=mobile)


THREADS = []


def thread(subject, *msgs, **tags):
    THREADS.append(dict(subject=subject, msgs=list(msgs), tags=tags))


# ===========================================================================
# 2019
# ===========================================================================

thread(
    "Welcome to gov-cop in 2019 - please introduce yourself",
    M("intro", "helena", "2019-01-14 09:10", None, """
Dear colleagues,

A warm welcome to the 46 new members who joined gov-cop since November, and a happy new year to everyone!

gov-cop is the community of practice of the Democratic Governance Practice Network. It is a space to ask questions, share experiences, good practices and lessons learned, and find colleagues who have faced similar challenges in elections, parliaments, local governance, anti-corruption and access to information.

To help us get to know each other, could you reply to this message with two or three lines: your name, where you work, and one topic on which you would like to learn from others this year?

The list guidelines and the archive are available at https://www.gpn.example.org/gov-cop/guidelines

Best regards,
"""),
    M("intro-r1", "wanjiru", "2019-01-14 11:42", "intro", """
Hello everyone,

I am Grace, a governance adviser with a civil society programme supporting county governments in Kenya since devolution in 2013. Most of my work is on public participation in county planning and budgeting. This year I would like to learn how others give feedback to citizens after consultations, which is where we keep failing.

Best,
""", style="trim"),
    M("intro-r2", "priya", "2019-01-14 16:05", "intro", """
Hi all,

Priya here, a researcher at a small think tank in Bengaluru working on decentralisation and urban local bodies in India. I am hoping to learn about ward committees and other neighbourhood-level institutions in other countries, and happy to share what we know about ward sabhas.

Warm regards,
""", style="none"),
    M("intro-r3", "jose", "2019-01-15 08:20", "intro", """
Dear colleagues,

I am José Luis, working in La Paz with a foundation that supports small rural municipalities in Bolivia on planning, social control and transparency. My English is not perfect, so sometimes I will write in Spanish. I would like to learn about tools to make municipal budgets understandable for indigenous communities.

Saludos cordiales,
""", style="none"),
    M("intro-r4", "bikash", "2019-01-15 10:30", "intro", """
Namaste colleagues,

I am Bikash, local governance specialist with a municipal association in Nepal. Since 2017 we have 753 new local governments, and most of them are still building their systems for planning, budgeting and public hearings. I am interested in how other countries train newly elected representatives.

Regards,
"""),
    M("intro-r5", "samuel", "2019-01-16 07:55", "intro", """
Dear all,

Samuel Okello from Uganda. I work with the association of local governments on service delivery monitoring and community engagement (barazas). I would like to learn more about community scorecards and how to make the results count in the budget cycle.

Kind regards,
"""),
    M("intro-r6", "fiona", "2019-01-17 22:14", "intro", """
Hello from Melbourne,

I am a research fellow working on electoral integrity, mostly on election observation methods and post-election reviews. Happy to share our open datasets with anyone who needs them, and keen to learn from practitioners about what data electoral management bodies actually use.

Cheers,
""", style="none"),
    tag="introductions",
)

thread(
    "How to engage first-time young voters?",
    M("youth19", "chidi", "2019-03-04 10:15", None, """
Dear colleagues,

Nigeria has general elections this year and we saw again that turnout among first-time voters (18-24) is much lower than for older groups, even though young people are very active online. Our organisation wants to design a programme for the next cycle.

Does anyone have experience with programmes that actually increased registration and turnout of young voters? What worked, and what did not? I am especially interested in evaluations, not only good stories.

Thank you in advance,
"""),
    M("youth19-r1", "leila", "2019-03-04 14:02", "youth19", """
Dear Chidinma,

In Lebanon we ran a "first vote" campaign before the 2018 parliamentary elections with student clubs in 14 universities. A good practice we found was to use peer educators rather than NGO staff: students trained other students on how to check the voter list and find their polling station. Registration here is automatic, so the focus was on turnout and informed choice.

The main lesson we learned is that social media campaigns alone gave a lot of likes but little change in behaviour. What made a difference was the mix of online reminders with face-to-face sessions in the last two weeks.

Our short evaluation is here: https://www.youth-lb.example.org/reports/first-vote-2018-evaluation.pdf

Best wishes,
"""),
    M("youth19-r2", "aigerim", "2019-03-05 09:40", "youth19", """
Hello Chidinma and all,

In Kyrgyzstan we work with schools. Civic education in the last year of secondary school includes a simulated election with real ballot boxes borrowed from the election commission. It is simple and cheap, and the election commission likes it because it also explains the biometric identification at the polling station.

A challenge is that teachers are not always comfortable with political topics, so we developed a teacher guide, "Elections in the classroom", which stays neutral. I can send the Russian and Kyrgyz versions if useful.

Regards,
"""),
    M("youth19-r3", "tom", "2019-03-05 12:18", "youth19", """
Hi Chidinma,

On the evidence question: the best evidence I know comes from field experiments on get-out-the-vote messages. The general finding is that personal contact (door-to-door, phone calls from peers) works better than impersonal channels, and that text message reminders have small but real effects and are very cheap per additional vote.

Our foundation commissioned a review last year, "What works to increase youth electoral participation: a review of evaluations" (Westbridge Democracy Foundation, 2018), available at https://www.wdf.example.org/publications/youth-turnout-review-2018.pdf

One caution: many programmes measure registration, not turnout. If you design the next cycle, build in a way to measure actual turnout from the marked register, with the election commission's agreement.

Best,
"""),
    M("youth19-r4", "wanjiru", "2019-03-06 08:30", "youth19", """
This is very helpful, thank you Leila and Tom.

In Kenya the electoral commission ran mobile registration at universities and technical colleges before 2017. Registration went up, but many students registered at their campus and were at home during the election, so they could not vote. Lesson: register young people where they will be on election day, or allow a simple transfer.
"""),
    M("youth19-r5", "joao", "2019-03-07 01:12", "youth19", """
In Timor-Leste around 20% of voters are first-time voters at each election, so this is a big topic for us.

Two things worked reasonably well for us: voter education through radio programmes in Tetum presented by young hosts, and training young people as polling staff. Being part of the process seems to build trust.

A challenge was youth who moved to Dili for study or work while being registered in their village. Since 2017 we have had a procedure for voting in a different municipality, but uptake was still limited.
"""),
    M("youth19-r6", "chidi", "2019-03-08 16:45", "youth19", """
Thank you all, this is exactly what I needed. I will share a short summary with my team and will come back to the list when we have our programme design.

Best regards,
""", style="none"),
    tag="recurring-youth",
)

thread(
    "Redevabilité des élus locaux : vos expériences d'audiences publiques ?",
    M("audiences", "aissatou", "2019-05-13 10:05", None, """
Chers collègues,

Au Sénégal, plusieurs communes organisent depuis 2016 des « audiences publiques de reddition des comptes » où le maire présente l'exécution du budget devant les habitants. L'expérience est intéressante mais très inégale : dans certaines communes la salle est pleine et les débats sont riches, dans d'autres il s'agit d'une simple formalité.

Avez-vous des expériences similaires dans vos pays ? Comment garantir que ces audiences débouchent sur des engagements concrets et un suivi ?

Merci d'avance pour vos contributions.

Cordialement,
"""),
    M("audiences-r1", "francois", "2019-05-13 15:47", "audiences", """
Bonjour Aïssatou,

Au Burkina Faso, le Code général des collectivités territoriales prévoit la tenue de sessions publiques du conseil municipal, mais la pratique des redditions de comptes s'est surtout développée grâce à la société civile. Une bonne pratique que nous avons trouvée est la publication d'un « procès-verbal d'engagements » signé par le maire à la fin de l'audience, puis affiché à la mairie et lu à la radio communautaire.

La principale leçon apprise est que l'audience doit être préparée avec les associations de quartier au moins un mois avant, sinon seules les personnes proches du maire viennent.

Vous trouverez notre guide ici : https://www.matd-bf.example.org/docs/guide-reddition-des-comptes-2017.pdf

Bien cordialement,
"""),
    M("audiences-r2", "nadia", "2019-05-14 09:12", "audiences", """
Bonjour à toutes et à tous,

En Tunisie, depuis les élections municipales de 2018, les communes sont tenues d'organiser des réunions publiques avant l'adoption du plan d'investissement. Le défi principal est la participation des femmes et des jeunes : les réunions ont lieu en soirée dans des lieux peu accessibles.

Nous recommandons de varier les horaires et les lieux (écoles, marchés) et de rendre compte par écrit de la suite donnée à chaque proposition.

Bien à vous,
"""),
    M("audiences-r3", "jb", "2019-05-15 11:30", "audiences", """
Chère Aïssatou,

En RDC, dans le Sud-Kivu, nous avons accompagné douze entités territoriales décentralisées dans l'organisation d'audiences publiques. Ce qui a bien marché : la présence des chefs coutumiers et des responsables religieux, qui donnent de la légitimité à l'exercice, et la traduction en swahili et en mashi.

Ce qui n'a pas marché : l'absence de budget pour le suivi. Les engagements pris n'étaient pas suivis faute de moyens. Je recommande de prévoir dès le départ un petit comité de suivi composé d'habitants.

Cordialement,
"""),
    M("audiences-r4", "youssef", "2019-05-16 13:55", "audiences", """
Bonjour,

Au Maroc, les lois organiques de 2015 sur les collectivités territoriales ont créé des mécanismes participatifs (pétitions, instances consultatives). Les audiences publiques restent rares, mais l'Observatoire a testé un tableau de bord simple qui compare chaque année les engagements et les réalisations.

Je partage volontiers notre modèle de tableau de bord si cela vous intéresse.

Amitiés,
"""),
    M("audiences-r5", "aissatou", "2019-05-20 09:00", "audiences", """
Merci beaucoup François, Nadia, Jean-Baptiste et Youssef pour ces contributions très utiles. L'idée du procès-verbal d'engagements et du comité de suivi me semble facile à reprendre dans nos communes pilotes.

Youssef, je suis très intéressée par votre tableau de bord.

Bien cordialement,
"""),
    lang="fr",
)

thread(
    "Tools for election observation data collection",
    M("obs", "fiona", "2019-07-08 20:30", None, """
Dear colleagues,

We are updating a comparative study of the tools citizen observer groups use to collect and report data on election day (SMS-based systems, smartphone apps, paper forms with call centres). I would be grateful for pointers to tools you have used, and for any lessons about reliability and security.

Thanks,
"""),
    M("obs-r1", "olena", "2019-07-09 09:10", "obs", """
Hi Fiona,

In Ukraine several observer networks used an open-source app built on a form-collection platform (ODK-style forms) during the 2019 presidential and parliamentary elections. Observers sent structured checklists at fixed times and critical incidents at any time.

From our experience the main lesson is that the technology is the easy part: what matters is the training of observers and a well-tested checklist. We lost a lot of data in the first round because questions were ambiguous.

Our open checklist and codebook: https://www.civictech-ua.example.org/observation/checklist-2019.xlsx

Olena
"""),
    M("obs-r2", "ahmed", "2019-07-09 12:40", "obs", """
Dear Fiona,

In Bangladesh a coalition of observer groups used an SMS system with coded messages, because smartphone coverage in rural areas was still low in 2018. It worked, but the coding errors were high (around 8% of messages could not be parsed). A call centre that called back observers with unparsed messages solved most of it.

Regards,
"""),
    M("obs-r3", "kwame", "2019-07-10 08:05", "obs", """
Dear Fiona,

From the election management side, I would add that observer data is most useful to us when groups share their methodology before election day. In Ghana we held a briefing with the main observer groups in 2016 and agreed on definitions (e.g. what counts as a "late opening"). It reduced public disputes about numbers afterwards.

Best regards,
"""),
    M("obs-r4", "joao", "2019-07-11 03:20", "obs-r1", """
> From our experience the main lesson is that the technology is the easy
> part: what matters is the training of observers and a well-tested
> checklist.

Fully agree with Olena. In Timor-Leste we piloted a tablet app in 2017
and the best investment was a full dry run with all observers one week
before election day.

> Our open checklist and codebook:

Thanks for sharing this, very useful.
""", style="inline"),
    M("obs-r5", "fiona", "2019-07-12 21:00", "obs", """
Many thanks Olena, Ahmed, Kwame and João. This gives me a good list to follow up. I will share the study with the list when it is published.

Best,
""", style="none"),
)

thread(
    "Parliamentary budget offices - terms of reference examples?",
    M("pbo", "mariam", "2019-10-21 09:30", None, """
Dear colleagues,

The parliament we support is considering the creation of a small parliamentary budget office (PBO) to give members independent analysis of the executive's budget proposal. Does anyone have examples of terms of reference, legal provisions or staffing plans for a PBO in a young parliament?

With thanks,
"""),
    M("pbo-r1", "bjorn", "2019-10-21 13:15", "pbo", """
Dear Mariam,

The key design choices are independence (who appoints the head, and for how long), mandate (costing of bills, forecasts, or only analysis on request) and access to information from the finance ministry. A good practice is to set the right of access to data in law, not only in a memorandum.

We supported a review of twelve PBOs in 2018: "Independent fiscal institutions in emerging democracies", https://www.ndf.example.org/library/pbo-review-2018.pdf - annex 3 has sample terms of reference.

Kind regards,
"""),
    M("pbo-r2", "tom", "2019-10-22 10:02", "pbo", """
Hi Mariam,

Adding to Björn: start small. Several PBOs we know started with three or four analysts producing a short guide to the budget for members, and credibility grew from there. The mistake we saw was to create a large office before there was demand from members.

Best,
"""),
    M("pbo-r3", "huong", "2019-10-23 10:45", "pbo", """
Dear Mariam,

In Viet Nam the National Assembly's committees receive support from a research centre rather than a separate budget office. It is less independent but it helped build a culture of using analysis. Maybe a step-by-step model fits a young parliament.

Best regards,
"""),
    M("pbo-r4", "mariam", "2019-10-25 08:20", "pbo", """
Thank you Björn, Tom and Hương. The review is exactly what we needed and we will propose a small office first, as you suggest.

Regards,
""", style="none"),
)

thread(
    "New publication: Local Democracy Barometer 2019",
    M("ldb", "tom", "2019-11-18 11:00", None, """
Dear all,

We are pleased to share the "Local Democracy Barometer 2019", which surveys citizens' trust in local government and their experience of participation in 18 countries. Several members of this list contributed country chapters - thank you!

Full report: https://www.wdf.example.org/publications/local-democracy-barometer-2019.pdf
Data (CSV, open licence): https://data.wdf.example.org/ldb-2019/

Best wishes,
"""),
    M("ldb-r1", "samuel", "2019-11-19 07:40", "ldb", """
Congratulations Tom, and thank you for including Uganda. We will use the findings on feedback to citizens in our next training for district councillors.

Kind regards,
"""),
)

# ===========================================================================
# 2020
# ===========================================================================

thread(
    "Elections during COVID-19: postponement decisions and safeguards",
    M("covid", "ahmed", "2020-04-13 10:20", None, """
Dear colleagues,

Several countries in our region are deciding whether to postpone local and by-elections because of COVID-19. The election commission we support has asked for comparative examples: who took the decision to postpone, on what legal basis, for how long, and which health safeguards were used where elections went ahead.

Any experience or resources would be very welcome. We need to brief the commission by the end of next week.

Regards,
"""),
    M("covid-r1", "kwame2", "2020-04-13 18:45", "covid", """
Hi Ahmed,

Writing from my personal address as our office is closed this week.

Two points from our discussions in West Africa: first, make sure the decision to postpone rests on a clear legal basis (constitution or electoral law) and is taken after consultation with parties, otherwise the postponement itself becomes the dispute. Second, if registration or exhibition of the register is ongoing, think about extending those deadlines too, not only polling day.

Kwame
"""),
    M("covid-r2", "fiona", "2020-04-15 07:30", "covid", """
Hi Ahmed,

We are keeping a public tracker of decisions on elections during COVID-19 (postponed, held with measures, held as planned), with the legal basis for each decision where we could find it:

https://www.research.example.com/covid-elections-tracker

So far more than 50 countries and territories have postponed at least one national or subnational election. The tracker is updated weekly; corrections welcome.

Cheers,
"""),
    M("covid-r3", "joao", "2020-04-15 09:05", "covid", """
Hi Ahmed,

Not a postponement case, but we held a small by-election with health
measures: longer polling hours to spread voters, marked queues, hand
sanitiser at entry and exit, and voters bringing their own pen. The
measures cost about 12% of the polling budget. The main lesson was to
train staff on the measures separately from the usual polling training,
otherwise they are forgotten.
"""),
    M("covid-r4", "dragos", "2020-04-15 14:22", "covid", """
Dear Ahmed,

In Moldova the debate was about postal and early voting as a way to reduce crowding. My advice: do not introduce a new voting method in a hurry just because of the pandemic. New methods need legal changes, testing and voter education, and when done in a rush they create distrust. Extending existing options (e.g. mobile ballot boxes for people in quarantine) was easier to defend.

Best regards,
"""),
    M("covid-r5", "wanjiru", "2020-04-16 10:10", "covid", """
Thanks all. Also worth remembering that postponement has costs for accountability: in some counties the mandate of elected bodies was extended without any oversight mechanism. If you brief the commission, maybe include what happens to the incumbents' mandate during the delay.
""", style="none"),
    M("covid-r6", "bjorn", "2020-04-17 09:40", "covid", """
Dear Ahmed,

We have just published a short guidance note, "Elections and COVID-19: a checklist for decision makers" (Nordic Democracy Fund, April 2020). It covers the legal basis, consultation, health measures and communication, with country examples:

https://www.ndf.example.org/library/covid-elections-checklist.pdf

Best regards,
"""),
    M("covid-r7", "mohamed", "2020-04-18 12:00", "covid", """
Hello Ahmed,

In Somalia the planned local council elections in two districts were postponed. The lesson for us was communication: people heard about the postponement on social media before any official statement, and rumours spread that it was a political decision. An official, early and clear announcement is essential.

Best regards,
"""),
    M("covid-r8", "ahmed", "2020-04-20 08:50", "covid", """
Dear all,

Thank you very much: Kwame, Fiona, João, Dragoș, Grace, Björn and Mohamed. Fiona's tracker and Björn's checklist went straight into our briefing, and the commission found the points on the legal basis and on communication very useful.

With gratitude,
"""),
    M("covid-r9", "helena", "2020-04-20 10:15", "covid-r8", """
Thank you Ahmed for closing the loop, and to everyone who contributed. We will add this thread to the "Elections and COVID-19" resource page on the network site.

Best regards,
"""),
)

thread(
    "Presupuestos participativos en tiempos de pandemia",
    M("pp2020", "monica", "2020-06-08 11:00", None, """
Estimadas y estimados colegas:

En nuestro municipio el presupuesto participativo se decide cada año en asambleas vecinales presenciales. Este año, por la pandemia, no podemos reunir a la gente. Estamos pensando en una consulta en línea, pero nos preocupa dejar fuera a las personas mayores y a las colonias sin internet.

¿Alguien ha adaptado su proceso de presupuesto participativo a la pandemia? ¿Qué funcionó?

Saludos cordiales,
"""),
    M("pp2020-r1", "jose", "2020-06-08 16:30", "pp2020", """
Estimada Mónica:

En Bolivia varios municipios rurales mantuvieron la planificación
participativa con reuniones pequeñas por comunidad (menos de 20
personas, al aire libre) en lugar de una gran cumbre municipal. Tomó más
tiempo, pero la participación de las mujeres incluso aumentó porque las
reuniones eran más cerca de sus casas.

La lección principal que aprendimos es que lo digital no reemplaza a las
organizaciones territoriales: funcionó cuando las juntas vecinales
recogían las propuestas y las subían a la plataforma.

Saludos,
"""),
    M("pp2020-r2", "carlos", "2020-06-09 09:15", "pp2020", """
Hola Mónica:

En Perú algunas municipalidades usaron una combinación: votación por WhatsApp con un número oficial, buzones físicos en mercados y la radio local para explicar los proyectos. Una buena práctica fue publicar cada semana el número de votos recibidos por canal, lo que dio confianza.

Te comparto la guía que preparamos: «Presupuesto participativo a distancia: guía práctica para municipios» https://www.gobabierto-pe.example.org/guias/pp-a-distancia-2020.pdf

Un abrazo,
"""),
    M("pp2020-r3", "lucia", "2020-06-10 13:40", "pp2020", """
Hola a todos:

Desde Guatemala, una advertencia: en un municipio donde asesoré, la votación en línea fue «capturada» por un grupo organizado que votó muchas veces usando números de teléfono distintos. Recomiendo verificar la identidad de alguna forma (aunque sea con el número de documento) y combinar la votación con criterios técnicos de priorización.

Saludos,
"""),
    M("pp2020-r4", "ana", "2020-06-11 08:05", "pp2020", """
Mónica, buenos días:

En Colombia varias alcaldías locales hicieron la votación del presupuesto participativo en línea en 2020, con puntos de apoyo presenciales para quienes no tenían conexión. Un desafío fue la protección de datos personales: hay que informar claramente para qué se usan los datos y borrarlos después del proceso.

Un saludo cordial,
"""),
    M("pp2020-r5", "monica", "2020-06-15 10:30", "pp2020", """
Muchísimas gracias José Luis, Carlos, Lucía y Ana María. Vamos a combinar la consulta en línea con buzones en los mercados y reuniones pequeñas, y vamos a verificar la identidad con el número de credencial.

Les contaré cómo nos fue.

Saludos,
""", style="none"),
    lang="es",
)

thread(
    "Biometric voter registration - experiences?",
    M("bvr20", "samuel", "2020-09-14 09:00", None, """
Dear colleagues,

Our electoral commission is considering biometric voter registration (BVR) for the next cycle. Civil society partners have asked us for independent information on costs, benefits and risks. What have been your experiences with BVR, and is there any good comparative study?

Kind regards,
"""),
    M("bvr20-r1", "kwame", "2020-09-14 15:30", "bvr20", """
Dear Samuel,

Ghana has used biometric registration since 2012. Benefits: fewer duplicate registrations, and more trust in the register from the parties. Costs: high, and not only the kits - also data centre, maintenance, training and replacement of kits every two cycles.

The main lesson we learned is that biometric registration does not solve problems that are not technical. If parties do not trust the commission, they will not trust the machine either. Invest equally in transparency: audits of the register, public display, and access for party agents.

Best regards,
"""),
    M("bvr20-r2", "ahmed", "2020-09-15 10:10", "bvr20", """
Dear Samuel,

A useful comparative study is "Introducing biometric technology in elections" (a 2017 comparative guide) - I am sure someone on the list has the link. In Bangladesh, the voter register is linked to the national ID database, which reduces costs but raises data protection questions.

Regards,
"""),
    M("bvr20-r3", "joao", "2020-09-16 02:40", "bvr20", """
Hi Samuel,

Timor-Leste does not use biometric data in the register, but we
considered it. We decided that the cost per voter was too high for a
small electorate, and that improving the civil registry was a better
long-term investment. It depends very much on the context.
"""),
    tag="recurring-voter-registration",
)

thread(
    "Virtual parliament sittings - lessons learned?",
    M("vparl", "dragos", "2020-11-09 10:00", None, """
Dear colleagues,

Several parliaments moved to hybrid or fully virtual sittings during
the pandemic. Our parliament is reviewing the temporary rules adopted in
spring. What lessons have you learned on voting, quorum, transparency
(broadcasting) and participation of the opposition?

Thanks in advance,
"""),
    M("vparl-r1", "mariam", "2020-11-09 13:20", "vparl", """
Dear Dragoș,

Two lessons from the parliament we support: first, remote voting must have a verification step that members trust (we used a roll call by video in addition to the electronic vote). Second, committee meetings worked better online than plenary sittings - public hearings with experts from other regions were easier to organise.

Regards,
"""),
    M("vparl-r2", "olena", "2020-11-10 09:45", "vparl", """
Hi Dragoș,

Civic tech groups in Ukraine pushed for all virtual committee meetings to be streamed and archived. A good practice: publishing the recordings together with the voting results per member, on the same page. It increased media coverage of committee work.

Olena
"""),
    M("vparl-r3", "bjorn", "2020-11-10 14:05", "vparl", """
> What lessons have you learned on voting, quorum, transparency
> (broadcasting) and participation of the opposition?

On the opposition: the rule that speaking time is allocated the same way as in physical sittings was essential where it was adopted. Where the chair could simply mute members, there were complaints.

> Our parliament is reviewing the temporary rules adopted in spring.

I would recommend a sunset clause for any emergency procedure, with a review by a cross-party committee. We have a comparative note from October: https://www.ndf.example.org/library/virtual-parliaments-note-2020.pdf

Björn
""", style="inline"),
    M("vparl-r4", "tom", "2020-11-11 08:30", "vparl", """
Agree with Björn on the sunset clause. We also saw parliaments that never went back to full scrutiny after "temporary" rules. Put the review date in the rules themselves.

Tom
"""),
    M("vparl-r5", "dragos", "2020-11-12 17:10", "vparl", """
Thank you Mariam, Olena, Björn and Tom. The sunset clause and the
allocation of speaking time are now in our recommendations to the
committee on rules.

Best regards,
""", style="none"),
)

# ===========================================================================
# 2021
# ===========================================================================

thread(
    "Monitoring implementation of access to information laws",
    M("ati", "priya", "2021-03-15 11:00", None, """
Dear colleagues,

Many countries now have access to information (ATI) laws, but implementation is weak. We are designing a monitoring exercise for municipal bodies and would like to learn from others. How do you measure implementation: request testing, proactive disclosure audits, or something else? Any indicator frameworks you would recommend?

Warm regards,
"""),
    M("ati-r1", "therese", "2021-03-15 15:40", "ati", """
Dear Priya,

In Rwanda we did a request-testing exercise in 2019: volunteers submitted 120 simple requests to district offices and we recorded whether, when and how they were answered. Only 38% received a complete answer within the legal deadline. The results helped open a constructive dialogue with the districts because they were concrete.

A lesson: include requests submitted by women and by people in rural areas, because response rates differed a lot.

Best regards,
"""),
    M("ati-r2", "mohamed", "2021-03-16 09:25", "ati", """
Hello Priya,

Somalia does not yet have a national ATI law in force, so we focused on proactive disclosure: whether district councils publish their budget, minutes and procurement notices on a notice board or online. A simple checklist of 15 items, scored every quarter, was enough to show progress and was easy for volunteers.

Best regards,
"""),
    M("ati-r3", "huong", "2021-03-17 10:00", "ati", """
Dear Priya,

You may find the "Municipal Transparency Index methodology" (Institute for Public Administration Studies, 2020) useful. It combines proactive disclosure (40 indicators) with a small number of test requests. English summary: https://www.gov-vn.example.org/research/mti-methodology-2020-en.pdf

Best regards,
"""),
    M("ati-r4", "dragos", "2021-03-17 16:30", "ati", """
Hi Priya,

In Moldova the State Chancellery publishes an annual report on
implementation of the transparency law in decision-making, based on
self-reporting by ministries. The lesson: self-reporting inflates
compliance. Civil society spot checks told a very different story. Use
both, and publish the gap.

Best,
"""),
    M("ati-r5", "priya", "2021-03-19 08:45", "ati", """
Thank you Thérèse, Mohamed, Hương and Dragoș. Combining a proactive disclosure checklist with a small set of test requests seems to be the consensus, and the point about disaggregating results by gender and location is well taken.

Warm regards,
""", style="none"),
)

thread(
    "Case management systems for electoral disputes",
    M("edr", "ahmed", "2021-06-07 09:30", None, """
Dear colleagues,

We are helping an election commission design a case management system for electoral complaints and appeals. Does anyone have experience with such systems (simple databases or specialised software), and with publishing dispute decisions online?

Regards,
"""),
    M("edr-r1", "fiona", "2021-06-07 21:15", "edr", """
Hi Ahmed,

From research side: the most valuable feature for transparency is a public register of complaints with a unique number, date received, category, status and decision. Even a spreadsheet published weekly is better than nothing. We compared 20 electoral management bodies in "Transparency of electoral dispute resolution: a comparative review" (2020): https://www.research.example.com/edr-transparency-2020.pdf

Cheers,
"""),
    M("edr-r2", "kwame", "2021-06-08 10:20", "edr", """
Dear Ahmed,

We built a simple web-based system in 2020 with district officers entering complaints and the head office tracking deadlines. Lesson learned: agree the categories of complaints with the legal department before building anything. We changed them three times, which made the statistics useless for the first months.

Best regards,
"""),
    M("edr-r3", "joao", "2021-06-09 01:30", "edr", """
Agree with Kwame. Also plan for the period right after polling day,
when the number of complaints explodes: in 2017 we received more
complaints in four days than in the whole campaign. The system and the
staff must be ready for that peak.
"""),
    M("edr-r4", "ahmed", "2021-06-10 08:10", "edr", """
Many thanks Fiona, Kwame and João. The public register and the peak capacity point are both going into the design.

Regards,
""", style="none"),
)

# ---------------------------------------------------------------------------
# The moderated e-discussion (October 2021)
# ---------------------------------------------------------------------------

EDISC_SUBJECT = "E-Discussion: Strengthening citizen participation in local budgeting"

thread(
    EDISC_SUBJECT,
    M("ed-query", "helena", "2021-10-04 09:00", None, """
Dear members of gov-cop,

On behalf of the facilitation team, I am pleased to launch a moderated e-discussion on "Strengthening citizen participation in local budgeting". The query was prepared together with the Local Governance Support Unit (example), which is designing a regional programme on fiscal decentralisation and would like to learn from the experience of this network before finalising it.

BACKGROUND

Over the last three decades, participatory budgeting and related mechanisms - budget hearings, citizens' budgets, social audits, community scorecards - have spread from Porto Alegre to thousands of local governments. Yet many practitioners report that participation remains low, dominated by the same voices, or disconnected from the final budget decisions. After COVID-19, local governments face shrinking fiscal space, and new digital tools promise broader reach but risk excluding people without connectivity.

SPECIFIC QUESTIONS

1. Which mechanisms for citizen participation in local budgeting have worked in your country, and what made them effective (legal framework, political will, facilitation, resources)?

2. How have women, young people, persons with disabilities and other under-represented groups been included? What lessons have you learned, including from approaches that did not work?

3. What role can digital tools play, and how can their risks (digital divide, data protection, manipulation of online votes) be managed? Please share tools, guides, evaluations and other resources.

DEADLINE

Please send your contributions to the list by Friday, 29 October 2021. Contributions in English, French and Spanish are welcome. At the end of the discussion the facilitation team will circulate a consolidated reply summarising your contributions, with attribution.

Many thanks in advance for sharing your experience,
"""),
    M("ed-r01", "rafael", "2021-10-04 14:30", "ed-query", """
Dear Helena, dear colleagues,

Thank you for this important query. In Brazil participatory budgeting (orçamento participativo) started in Porto Alegre in 1989 and was adopted by more than 200 municipalities at its peak. Our experience is mixed, so let me share both sides.

What made it effective in the early years: a real share of the investment budget (around 15-20%) was decided in the assemblies, there was a clear annual cycle with regional and thematic assemblies, and the elected delegates monitored the execution of the works. Citizens came because their decisions were actually implemented.

The main lesson we learned is that participatory budgeting depends on political will and fiscal space. When the share of the budget decided by citizens fell and the works approved in the assemblies were delayed for years, participation dropped and the process lost credibility. Today we recommend starting with a smaller amount that the municipality can really guarantee, and publishing the status of every approved project.

A useful resource is the evaluation "Thirty years of participatory budgeting: what remains?" (Municipal Secretariat for Planning, 2019): https://www.prefeitura-br.example.org/pb/evaluation-30-years.pdf

Best regards,
""", style="trim"),
    M("ed-r02", "wanjiru", "2021-10-05 08:15", "ed-query", """
Dear Helena and colleagues,

In Kenya, public participation in budgeting is a constitutional requirement since 2010, and the Public Finance Management Act requires each county to establish a County Budget and Economic Forum with non-state members. So the legal framework is strong; the challenge is the quality of participation.

A good practice we found was ward-level budget hearings organised with community-based organisations, where the county presents the draft budget in a simplified "citizens' budget" in Kiswahili and English. In two counties we supported, the number of participants tripled between 2016 and 2019, and proposals on water and early childhood centres were taken up.

Challenges: hearings are often announced only a few days in advance, and citizens rarely receive feedback on which proposals were accepted and why. The main lesson we learned is that feedback is what keeps people coming back. We now recommend a short "You said, we did" report after every budget cycle.

We published "A practitioner's guide to county budget hearings" (County Governance Support Programme, 2020): https://www.ngo-ke.example.org/resources/county-budget-hearings-guide.pdf

Best,
""", style="trim"),
    M("ed-r03", "maria", "2021-10-05 16:40", "ed-query", """
Dear Helena,

Greetings from the Philippines. Our network has worked on local budget participation for more than ten years.

In our experience, three things made participation effective: (1) a legal basis, since the Local Government Code gives civil society seats in the local development councils; (2) accessible budget information, which is why we produce citizens' budgets for partner cities; and (3) organised communities that can follow the budget all year, not only during consultations.

A good practice we found was budget literacy training for barangay (village) leaders and women's groups before the planning season. Trained groups submitted proposals with costs and locations, and their proposals were three times more likely to be funded.

The lesson learned is that a national programme that requires participation can create "box-ticking" if it is not matched by local capacity. When a national bottom-up budgeting programme was discontinued, many local processes stopped because they had depended on it.

Our toolkit "Reading your city's budget" is free: https://www.budget-ph.example.org/toolkits/reading-your-city-budget.pdf

Best regards,
"""),
    M("ed-r04", "bikash", "2021-10-06 10:05", "ed-query", """
Dear Helena and colleagues,

In Nepal, the 2017 local government law requires municipalities to follow a seven-step planning and budgeting process that starts with settlement-level meetings and ward-level prioritisation. Each ward committee includes two women members, one of whom must be Dalit, so the framework for inclusion is there.

What worked: where the ward chair made the settlement meetings a real priority, women and Dalit members brought proposals on drinking water, sanitation and small irrigation that had never been on the agenda before.

What did not work: in many municipalities the settlement-level step is skipped because of time pressure, and the budget ceiling arrives late from the centre. Then the ward committee prioritises alone.

Recommendation: publish the budget ceiling early and give ward committees a simple template to report which settlement proposals were accepted. We also recommend that municipalities earmark a share of the budget for targeted groups and report on it separately.

Regards,
"""),
    M("ed-r05", "aissatou", "2021-10-06 15:20", "ed-query", """
Chère Helena, chers collègues,

Au Sénégal, le budget participatif a été expérimenté dès 2003 à Fissel, puis étendu à plusieurs dizaines de communes avec l'appui de la société civile. Le Code général des collectivités locales encourage la participation mais ne l'impose pas, ce qui rend l'exercice très dépendant de la volonté du maire.

Une bonne pratique que nous avons trouvée est l'organisation de forums de quartier séparés pour les femmes et pour les jeunes, avant le forum communal. Les femmes prennent davantage la parole dans ces espaces, et leurs priorités (santé maternelle, marchés, éclairage public) remontent ensuite au forum général.

La principale leçon apprise est que le budget participatif doit être inscrit dans le calendrier budgétaire officiel. Lorsque les forums ont lieu après le vote du budget, la participation ne sert à rien et les habitants se découragent.

Je recommande le « Guide méthodologique du budget participatif au Sénégal » (Agence de Développement Local, 2019) : https://www.adl-sn.example.org/publications/guide-budget-participatif.pdf

Cordialement,
"""),
    M("ed-r06", "monica", "2021-10-07 12:10", "ed-query", """
Estimada Helena, estimados colegas:

Comparto la experiencia de nuestro municipio en México. Desde 2020 el presupuesto participativo combina votación en línea y presencial. Los vecinos proponen proyectos en una plataforma abierta, un comité técnico revisa su viabilidad y costo, y luego la ciudadanía vota.

Una buena práctica fue la verificación de identidad con la credencial de elector y un código enviado al teléfono, junto con módulos de votación presencial en mercados y centros comunitarios. Así redujimos el riesgo de votos duplicados sin excluir a quienes no tienen internet. En 2021 votaron 18.400 personas, el doble que en 2019; el 41 % votó en los módulos presenciales.

La lección principal es que la herramienta digital no sustituye la difusión: la participación aumentó sobre todo en las colonias donde promotoras comunitarias explicaron el proceso casa por casa.

Recomendación: publicar los datos abiertos de la votación y el avance de las obras. Usamos el software libre Decidim; nuestra guía está en https://www.municipio-mx.example.org/participa/guia-presupuesto-participativo-2021.pdf

Saludos cordiales,
"""),
    M("ed-r07", "samuel", "2021-10-08 09:30", "ed-query", """
Dear Helena,

In Uganda, the budget conference at district and sub-county level is the main legal mechanism for participation. In practice it is often a one-day meeting where the draft budget is presented and approved with little debate.

A good practice we found was to combine barazas (community meetings where officials answer questions in public) with community scorecards on health and education services. Communities score the services, discuss the results with the service providers, and bring an agreed action plan to the budget conference. In the districts where this was done, the budget conference discussed concrete service problems rather than general wish lists.

Challenges: most of the local budget comes as conditional grants from the centre, so the discretionary share that citizens can influence is small. We must be honest with communities about this, otherwise expectations are raised and then disappointed.

Lesson: start participation with the part of the budget that local government really controls, and use scorecards to influence how the conditional grants are spent.

Kind regards,
"""),
    M("ed-r08", "priya", "2021-10-08 17:45", "ed-query", """
Dear Helena and all,

From India, the best-known example remains the People's Plan Campaign in Kerala (1996 onwards), where a large share of the state plan funds was devolved to local governments and priorities were set in ward-level assemblies (grama sabhas). What made it effective was the combination of real funds, a structured process, and massive training of volunteers and officials.

On inclusion: a good practice was the link with women's self-help groups, which brought women into the ward assemblies in large numbers and later into elected positions. A lesson learned is that attendance in assemblies declined once the campaign became routine; neighbourhood groups and self-help groups kept participation alive between assemblies.

In urban areas, ward committees are mandated by law in many states but are rarely constituted. Our research found that in cities where ward committees exist, citizens' proposals in the budget were more often about footpaths, drainage and street lighting, i.e. basic services.

Our paper: "Ward committees and urban budgets: evidence from five cities" (2021), https://www.cdg-in.example.org/papers/ward-committees-urban-budgets.pdf

Warm regards,
""", style="trim"),
    M("ed-r09", "olena", "2021-10-11 10:20", "ed-query", """
Dear Helena,

In Ukraine more than 100 cities run a "public budget" (participatory budgeting with online voting) since 2015. Citizens submit projects online, the city checks feasibility, and residents vote, usually with verification through the national digital ID or a bank ID.

What worked: the online platform made the process very visible, and young people participated much more than in traditional hearings. Open data on all projects and votes allowed journalists and civic groups to monitor implementation.

Challenges and risks: we saw vote-buying schemes and pressure on employees of municipal institutions to vote for particular projects (for example school renovations). Some cities responded by limiting the share of projects from municipal institutions and by publishing anomaly analysis of votes.

Lesson learned: digital tools amplify the groups that are already organised. Schools and sports clubs mobilise well online, while older people and people with disabilities were under-represented until cities opened offline voting points in libraries and social service centres.

Olena
"""),
    M("ed-r10", "jose", "2021-10-12 09:00", "ed-query", """
Estimada Helena, estimados colegas:

En Bolivia, la Ley de Participación Popular de 1994 reconoció a las
organizaciones territoriales de base (OTB) y creó comités de vigilancia
para el control social de los recursos municipales. La planificación
participativa del Programa Operativo Anual (POA) se hace en cumbres
comunales y distritales.

Lo que funcionó: cuando las comunidades indígenas participan con sus
propias autoridades y en su propio idioma, las prioridades del POA
reflejan mejor sus necesidades (caminos vecinales, riego, escuelas).

Lo que no funcionó: el control social se debilitó cuando los dirigentes
se politizaron o recibieron beneficios del municipio.

La lección principal que aprendimos es que la rendición de cuentas
pública, al menos dos veces al año, es necesaria para que la
planificación participativa tenga sentido. Recomendamos formar a
mujeres dirigentes en lectura del presupuesto: en los municipios donde
lo hicimos, la inversión en salud y agua aumentó.

Nuestro material «Guía de control social del presupuesto municipal» está
en https://www.municipios-bo.example.org/guias/control-social-presupuesto.pdf

Saludos cordiales,
"""),
    M("ed-r11", "huong", "2021-10-13 11:30", "ed-query", """
Dear Helena and colleagues,

In Viet Nam, the legal framework on grassroots democracy gives citizens the right to be informed about, discuss and supervise commune budgets, especially contributions that people make to local infrastructure. Commune budgets must be posted publicly.

Our research in 2020 found that public posting is now common, but the information is often too technical to be understood. A good practice we found in several provinces was commune-level "budget boards" with simple charts showing revenues and spending for roads, schools and health stations, plus meetings with the community investment supervision boards.

Challenge: participation of ethnic minority women is low because meetings are held in Vietnamese and usually attended by the head of household, who is most often a man. Where communes held separate meetings with the Women's Union, more women took part.

Recommendation: invest in making budget information understandable before investing in new participation channels.

Best regards,
"""),
    M("ed-r12", "nadia", "2021-10-14 10:40", "ed-query", """
Bonjour Helena, bonjour à toutes et à tous,

En Tunisie, le Code des collectivités locales de 2018 impose aux communes d'associer les habitants à la préparation des programmes de développement et d'investissement. Plusieurs communes pratiquent le budget participatif depuis 2014, avec des assemblées par quartier et une votation finale.

Une bonne pratique : des « ambassadeurs » jeunes, formés par la commune, qui animent les réunions de quartier et font la promotion du processus sur les réseaux sociaux. Leur présence a augmenté la participation des jeunes.

Défis : la méfiance envers les institutions après des années de centralisation, et des ressources communales très limitées. Quand les projets votés ne sont pas réalisés l'année suivante, la confiance recule.

La principale leçon apprise : il faut un calendrier clair et public, du dépôt des projets jusqu'à leur réalisation, avec un responsable identifié à la mairie.

Ressource : « Le budget participatif en Tunisie : bilan de six années » (Fédération des Communes, 2021), https://www.communes-tn.example.org/publications/bilan-budget-participatif-2021.pdf

Bien à vous,
"""),
    M("ed-r13", "siti", "2021-10-15 08:50", "ed-query", """
Dear Helena,

In Indonesia, village development planning happens through musrenbang (development planning deliberation), from the hamlet up to the district. Since the Village Law of 2014, each village receives a village fund directly, which made the village musrenbang much more meaningful because there is real money to decide.

A good practice we found was the women's musrenbang held before the general village meeting, as some districts require. Women's proposals on health posts, clean water and early childhood education were then defended by their representatives in the village musrenbang.

A lesson learned is that capture by village elites remains common: the village head and his circle often decide before the meeting. Villages with active village consultative bodies (BPD) and published budget boards (infografis APBDes) had more balanced decisions.

Resource: "Village funds and participation: a field study in 30 villages" (Desa Institute, 2020), https://www.desa-id.example.org/studies/village-funds-participation.pdf

Best,
""", style="trim"),
    M("ed-r14", "jb", "2021-10-18 09:15", "ed-query", """
Chère Helena,

En RDC, le budget participatif a été introduit dans plusieurs villes du Sud-Kivu à partir de 2010, avec l'appui de partenaires. Les habitants votent des projets de quartier (marchés, ponts, écoles) et des comités de suivi citoyens vérifient l'exécution.

Ce qui a fonctionné : la transparence sur les recettes locales. Lorsque les habitants ont vu que les taxes qu'ils payaient finançaient des projets choisis par eux, le paiement des taxes a augmenté dans plusieurs quartiers.

Défis : l'insécurité dans certaines zones, le retard des rétrocessions de l'État central, et le changement fréquent des bourgmestres.

Nous avons appris que le processus doit être institutionnalisé par un arrêté ou une délibération du conseil, pour survivre aux changements de responsables. Nous recommandons aussi de réserver des sièges aux femmes et aux personnes handicapées dans les comités de suivi.

Bien cordialement,
"""),
    M("ed-r15", "ana", "2021-10-19 10:00", "ed-query", """
Dear Helena, dear colleagues,

From Colombia, I would like to share the experience of local planning and participatory budgeting in several cities, where a share of the local investment budget is allocated by communes and districts through local planning councils.

What made it effective: clear rules published before each cycle, a fixed percentage of the budget, and technical support from the planning office to turn citizen ideas into viable projects.

On inclusion, a good practice was to give young people (14-28 years) the right to vote in participatory budgeting, with voting points in schools and universities. Youth participation grew strongly, and some young proposers later ran for local councils.

Challenge: in some communes the process was captured by contractors and local politicians who mobilised voters for "their" projects. The lesson we learned is that transparency about who proposes and who executes each project is as important as the vote itself.

Our "Manual de presupuesto participativo para jóvenes" (2020) is in Spanish: https://www.registro-electoral.example.org/publicaciones/manual-pp-jovenes.pdf

Best regards,
"""),
    M("ed-r16", "tom", "2021-10-20 13:00", "ed-query", """
Dear Helena,

Adding a donor and evidence perspective. Our foundation funded a review of impact evaluations of participatory budgeting last year. In short:

- The strongest effects were on the allocation of spending towards basic services (water, sanitation, health) in poorer areas, and on transparency.
- Effects on trust in local government were positive where approved projects were implemented on time, and negative where they were not.
- Evidence on inclusion of marginalised groups is weaker: many evaluations do not disaggregate participants by gender, age or disability.

Our recommendation to programme designers: build a simple monitoring framework from the start, with disaggregated participation data and tracking of project implementation, and budget for an independent evaluation.

The review, "What works in participatory budgeting: a review of impact evaluations" (Westbridge Democracy Foundation, 2020), is here: https://www.wdf.example.org/publications/pb-evidence-review-2020.pdf

Best wishes,
"""),
    M("ed-r17", "mohamed", "2021-10-21 11:45", "ed-query", """
Dear Helena,

Somalia is a different context: local governments are being formed district by district, and most public investment comes from development partners. We used community-driven planning in six districts, where community action plans were prepared in open meetings and then merged into the district development framework.

What worked: involving traditional elders and religious leaders from the start gave legitimacy, and it was then possible to argue for the participation of women and minority clans, who are usually excluded.

Challenges: insecurity limits who can attend meetings, and displaced people in camps around towns are often not counted as residents. We learned to hold separate meetings in displacement sites.

The main lesson we learned is that in fragile settings, participation in budgeting is also about building the social contract: when the district delivered a small project chosen in the meeting, people started paying local fees.

Best regards,
"""),
    M("ed-r18", "kwame", "2021-10-22 08:40", "ed-query", """
Dear Helena,

Although my work is mainly on elections, I served for several years on a district assembly in Ghana, so let me add a brief contribution.

District assemblies must hold public hearings on the composite budget and on the fee-fixing resolution (local taxes and fees). A good practice in our district was to hold the fee-fixing hearings in the main markets, with the market women's associations. Fees were negotiated openly, and collection improved because traders understood what the money was used for.

Challenge: the district common fund arrives late and in irregular amounts, which makes it difficult to commit to the projects citizens prioritise.

My recommendation is to link budget hearings to the annual "town hall meeting" where the district chief executive reports on last year's commitments.

Best regards,
"""),
    M("ed-remind", "helena", "2021-10-22 14:00", "ed-query", """
Dear colleagues,

Thank you to the 18 members from 18 countries who have contributed so far - the richness of your experiences is remarkable.

We have received fewer contributions on question 3 (digital tools and their risks) and on the inclusion of persons with disabilities. If you have experience on these points, please share it. The deadline remains Friday, 29 October 2021.

Best regards,
""", subject="Reminder - " + EDISC_SUBJECT),
    M("ed-r19", "youssef", "2021-10-25 10:30", "ed-query", """
Dear Helena, dear colleagues,

In Morocco, the 2015 organic laws created participatory mechanisms in communes: citizens' petitions, and a consultative body on equity, equal opportunities and gender in each commune. Our observatory supported a pilot of participatory budgeting in four communes in 2019-2021.

On question 2: we worked with associations of persons with disabilities to audit the accessibility of the meeting venues and to produce the project forms in large print and audio. Two of the twelve projects selected in 2020 were about accessibility of public buildings, which had never happened before.

On question 3: the online petition platform was used very little, because the required number of signatures is high and signatures must be verified with the national ID card. Offline collection through associations worked better.

The main lesson we learned is that participation mechanisms must be designed with the people who are usually excluded, not only for them.

Amitiés,
"""),
    M("ed-r20", "therese", "2021-10-26 09:10", "ed-query", """
Dear Helena and colleagues,

In Rwanda, citizen participation in district planning and budgeting takes place through community assemblies and the joint action development forums, and districts must attach a gender budget statement to their budget. The gender budget statement requires each sector to show how its spending addresses the different needs of women and men.

A good practice we found was training women councillors and women's organisations to read the gender budget statements and ask questions at the district council. This led to concrete changes, for example in the location of water points and in the budget for maternity waiting homes.

A challenge is that gender budget statements can become a formality if nobody uses them. The lesson learned is that tools for inclusion work when an organised constituency uses them.

Resource: "Gender budget statements: a guide for district councillors" (Women in Leadership Forum, 2020), https://www.gender-rw.example.org/guides/gender-budget-statements-councillors.pdf

Best regards,
"""),
    M("ed-r21", "lucia", "2021-10-27 18:20", "ed-query", """
Estimada Helena y colegas:

En Guatemala, la Ley de los Consejos de Desarrollo Urbano y Rural establece los Consejos Comunitarios de Desarrollo (COCODE), que priorizan proyectos y los presentan al Consejo Municipal de Desarrollo. Es una estructura muy amplia, con miles de COCODE en todo el país.

Lo que funcionó: en municipios con mayoría indígena, cuando las autoridades ancestrales participan y las asambleas se hacen en el idioma maya local, los proyectos priorizados reflejan mejor las necesidades de las comunidades.

Desafíos: la participación de las mujeres es baja en muchos COCODE, y los proyectos se negocian a veces con diputados a cambio de apoyo político.

Una buena práctica que encontramos fue la «comisión de la mujer» dentro del Consejo Municipal de Desarrollo, con presupuesto propio para proyectos propuestos por mujeres. Recomendamos también publicar en la municipalidad un cuadro simple con los proyectos priorizados y su estado de ejecución.

Saludos,
"""),
    M("ed-r22", "carlos", "2021-10-28 12:00", "ed-query", """
Dear Helena,

Peru has had a national law on participatory budgeting since 2003, which makes the process mandatory for all regional and local governments. This is both a strength and a weakness.

Strength: every municipality has an annual process with registered participating agents, technical teams and an oversight committee, and there is a national online system where the agreements are registered.

Weakness: after almost twenty years, many processes are routine and dominated by the same organisations. Participation declined and many agreed projects are small and fragmented. Our network calls this "participation fatigue".

What helped in the municipalities we support: fewer but larger strategic projects, an online portal showing the execution of each project, and youth and women's quotas among participating agents.

The main lesson we learned is that making participation mandatory by law is necessary but not sufficient: the process must be renewed regularly and citizens must see results.

Regards,
"""),
    M("ed-side1", "samuel", "2021-10-28 15:10", "ed-r02", """
Dear Grace,

Thank you for the "You said, we did" idea. Could you share an example of such a feedback report? We would like to adapt it for our budget conferences in Uganda.

Kind regards,
""", style="trim"),
    M("ed-side2", "wanjiru", "2021-10-28 18:30", "ed-side1", """
Hi Samuel,

Sure. Here is the one from one of our counties for FY 2019/20 - it is a four-page leaflet listing every ward proposal, whether it was funded, and if not, why: https://www.ngo-ke.example.org/resources/you-said-we-did-2019-20.pdf

Happy to talk by phone too.

Best,
""", style="trim"),
    M("ed-r23", "dragos", "2021-10-29 09:40", "ed-r09", """
Olena's point on manipulation of online votes is very relevant. In
Moldova two municipalities that piloted civic budgets used an online
vote with verification through the government electronic signature
service. It prevented duplicate votes, but participation was lower
because few people have an electronic signature.

A good practice we found was a privacy notice and a data retention
rule: personal data of voters deleted 90 days after the results are
published. I would recommend any city using online voting to do a data
protection impact assessment before launching.

Our note "Online voting in civic budgets: privacy and security
checklist" (2021): https://www.gov-md.example.org/opengov/civic-budget-privacy-checklist.pdf

Best regards,
""", style="trim"),
    M("ed-close", "helena", "2021-11-02 10:00", "ed-query", """
Dear colleagues,

The e-discussion on "Strengthening citizen participation in local budgeting" is now closed. Thank you very much to everyone who contributed: Rafael Costa (Brazil), Grace Wanjiru Kamau (Kenya), Maria Theresa Santos (Philippines), Bikash Shrestha (Nepal), Aïssatou Ndiaye (Senegal), Mónica Herrera (Mexico), Samuel Okello (Uganda), Priya Raman (India), Olena Kovalenko (Ukraine), José Luis Quispe Mamani (Bolivia), Nguyễn Thị Hương (Viet Nam), Nadia Ben Salah (Tunisia), Siti Rahmawati (Indonesia), Jean-Baptiste Mbala (DR Congo), Ana María López (Colombia), Tom Whitfield (United Kingdom), Mohamed Abdi (Somalia), Kwame Mensah (Ghana), Youssef El Amrani (Morocco), Thérèse Mukamana (Rwanda), Lucía Fernández (Guatemala), Carlos Mendoza (Peru) and Dragoș Munteanu (Moldova).

We received 25 contributions from 23 members in 23 countries, in English, French and Spanish. The facilitation team is preparing a consolidated reply, which will be shared with the list and published on the network site in the coming weeks together with all the resources you recommended.

With warm thanks,
""", subject="Closing and thanks - " + EDISC_SUBJECT),
    tag="ediscussion",
)

# ===========================================================================
# 2022
# ===========================================================================

thread(
    "Ideas to get young people to vote in municipal elections?",
    M("youth22", "leila", "2022-02-07 10:00", None, """
Hi everyone,

Municipal elections are (hopefully) coming up in Lebanon and we want to do something for young voters, especially those voting for the first time. Many young people tell us that local elections are "not about them" and that nothing changes anyway.

What ideas or programmes have worked in your countries to motivate young people to take part in local elections? Anything that goes beyond the usual social media campaign?

Thanks a lot,
"""),
    M("youth22-r1", "chidi", "2022-02-07 13:25", "youth22", """
Hi Leila,

I asked a similar question here in 2019, and the answers helped us a lot. What worked for us in Nigeria since then:

- "Town hall meetings" where young people question local candidates on issues they choose (jobs, drugs, sports facilities). They are streamed live and clips circulate afterwards.
- A registration drive with student unions and artisans' associations, not only universities.
- Young polling agents and observers: once young people had a role on election day, their friends came to vote.

The main lesson we learned: young people engage when the election is connected to concrete local problems they care about.

Best regards,
"""),
    M("youth22-r2", "aigerim", "2022-02-08 09:15", "youth22", """
Hello Leila,

In Kyrgyzstan we organised "youth mock councils" before local elections: groups of young people simulated a council session on a real local budget. Afterwards many of them volunteered as observers and some later ran for office. It showed them that the local council decides on things that matter to them.

Regards,
"""),
    M("youth22-r3", "siti", "2022-02-08 14:40", "youth22", """
Hi Leila,

In Indonesia, local election commissions partnered with youth content creators to make short videos explaining what village and district heads actually do. Engagement was high. But I agree with Chidinma that what changes behaviour is the link to local issues: in our villages, youth forums discussing the village budget led to much higher turnout of young people in the village head election.

Best,
"""),
    M("youth22-r4", "olena", "2022-02-09 11:00", "youth22", """
Leila, one tool that worked in Ukraine: voting advice applications
for local elections, where you answer questions on local issues and
see which candidates are closest to your views. Young people use them
a lot. The key is that the questions are about local issues (transport,
parks, housing), not national politics.

Olena
"""),
    M("youth22-r5", "wanjiru", "2022-02-10 08:05", "youth22", """
Hi Leila,

In Kenya we learned the hard way that registering students at campus does not help if they vote at home (see the 2019 thread on this list). For local elections, register young people where they live and work, and involve youth groups from the ward.

Best,
"""),
    M("youth22-r6", "tom", "2022-02-10 12:30", "youth22", """
Hi Leila,

Our 2018 review of youth turnout programmes is still relevant: https://www.wdf.example.org/publications/youth-turnout-review-2018.pdf - in short, personal contact by peers works best, cheap reminders by text message help a little, and pure awareness campaigns rarely change turnout.

Best,
"""),
    M("youth22-r7", "leila", "2022-02-14 09:45", "youth22", """
Thank you Chidinma, Aigerim, Siti, Olena, Grace and Tom! We will combine candidate town halls with a youth mock council on the municipal budget. I will report back after the elections.

Leila
""", style="none"),
    tag="recurring-youth",
)

thread(
    "Quotas de genre dans les conseils locaux : quel bilan ?",
    M("quotas", "therese", "2022-03-08 09:00", None, """
Chers collègues,

En cette Journée internationale des droits des femmes, je voudrais lancer une question : quel bilan tirez-vous des quotas ou de la parité dans les conseils locaux ? Au-delà du nombre d'élues, les quotas ont-ils changé les priorités budgétaires et la manière de gouverner ?

Merci de partager vos expériences.

Bien cordialement,
"""),
    M("quotas-r1", "aissatou", "2022-03-08 14:15", "quotas", """
Chère Thérèse,

Au Sénégal, la loi sur la parité de 2010 a fait passer la proportion de femmes dans les conseils locaux à près de 47 % en 2014. C'est un progrès énorme. En revanche, très peu de femmes sont maires, et beaucoup d'élues n'ont pas accès aux commissions importantes, comme la commission des finances.

Une bonne pratique : des réseaux d'élues locales qui se forment mutuellement sur le budget et préparent ensemble leurs interventions.

Cordialement,
"""),
    M("quotas-r2", "jb", "2022-03-09 10:30", "quotas", """
Bonjour Thérèse,

En RDC, la loi prévoit la parité mais sans sanction pour les listes qui ne la respectent pas. Résultat : la représentation des femmes reste faible. La leçon est claire : un quota sans mécanisme de sanction (rejet des listes) n'a presque pas d'effet.

Bien à vous,
"""),
    M("quotas-r3", "nadia", "2022-03-09 16:50", "quotas", """
> Au-delà du nombre d'élues, les quotas ont-ils changé les priorités
> budgétaires et la manière de gouverner ?

En Tunisie, la parité verticale et horizontale sur les listes
municipales de 2018 a donné environ 47 % d'élues. Notre étude montre que
les conseils avec plus de femmes dans les commissions ont davantage
inscrit au budget des crèches, de l'éclairage public et des espaces
verts.

> Merci de partager vos expériences.

Je joins volontiers la synthèse de l'étude à qui la demande.
""", style="inline"),
    M("quotas-r4", "francois", "2022-03-10 08:20", "quotas", """
Bonjour à tous,

Au Burkina Faso, la loi sur le quota de 2009 exigeait 30 % de
candidates, mais la pratique a montré que les femmes étaient placées en
fin de liste. La recommandation de notre ministère est d'imposer
l'alternance femme-homme sur les listes.

Cordialement,
"""),
    M("quotas-r5", "therese", "2022-03-14 09:30", "quotas", """
Merci Aïssatou, Jean-Baptiste, Nadia et François. Je retiens trois enseignements : les sanctions sont indispensables, l'alternance sur les listes compte autant que le pourcentage, et les élues ont besoin de réseaux et d'accès aux commissions des finances.

Bien cordialement,
""", style="none"),
    lang="fr",
)

thread(
    "Moving from paper to digital voter registers - where to start?",
    M("vreg22", "joao", "2022-06-13 09:00", None, """
Dear colleagues,

Our electoral administration is preparing a plan to move from a
largely paper-based voter register to a digital one, possibly linked to
the civil registry. Before we write the plan: where would you start?
What are the main mistakes to avoid? Costs, data protection, biometrics
or not, and how to keep the trust of the parties.

Thanks,
"""),
    M("vreg22-r1", "kwame", "2022-06-13 14:30", "vreg22", """
Dear João,

We discussed biometric registration on this list in 2020 and I would repeat the main lesson: technology does not fix a lack of trust. Start with a legal framework and an audit plan that parties accept, then choose the technology.

Practical points from Ghana: budget for the full life cycle (kits, data centre, maintenance, replacement), pilot in a few districts first, and plan how voters can check and correct their details (SMS, web and physical exhibition).

Best regards,
"""),
    M("vreg22-r2", "ahmed", "2022-06-14 10:00", "vreg22", """
Dear João,

In Bangladesh the voter list was built together with the national ID, which gives a very complete register but makes the electoral commission responsible for a huge national database. Think carefully about who owns the data and who can access it. We recommend a data protection impact assessment before linking registers.

Regards,
"""),
    M("vreg22-r3", "ana2", "2022-06-14 19:20", "vreg22", """
Hola João,

From Colombia: the civil registry and the electoral registry are managed by the same institution, and voters are included automatically when they get their ID card at 18. It makes registration easy, but the register must be cleaned of deceased persons regularly, which needs a good link with the death registry.

Writing from my personal email because I am travelling.

Saludos,
"""),
    M("vreg22-r4", "fiona", "2022-06-15 22:40", "vreg22", """
Hi João,

A few resources:

- "Voter registration technology: a practitioner's guide" (Electoral Integrity Lab, 2021): https://www.research.example.com/voter-registration-tech-guide-2021.pdf
- Our comparative dataset on voter registration methods in 120 countries: https://data.research.example.com/voter-registration-methods/

The most common mistake in the cases we studied was procurement before requirements: buying a system and then adapting the process to it.

Cheers,
"""),
    M("vreg22-r5", "olena", "2022-06-16 09:15", "vreg22", """
Hi João,

One more: make the register auditable by independent experts. In
Ukraine the state voter register publishes aggregate statistics by
polling station every month, which allows civil society to spot
anomalies (e.g. sudden increases) early.

Olena
"""),
    M("vreg22-r6", "joao", "2022-06-20 02:10", "vreg22", """
Thank you Kwame, Ahmed, Ana María, Fiona and Olena. We will start with
the legal framework and an audit plan agreed with the parties, and
define requirements before any procurement.
""", style="none"),
    tag="recurring-voter-registration",
)

thread(
    "Measuring violence against women in politics",
    M("vawp", "bjorn", "2022-09-12 10:00", None, """
Dear colleagues,

We are funding a programme on violence against women in politics (VAWP), including online harassment of women candidates. We are looking for good measurement approaches: surveys of candidates, incident monitoring, social media analysis. What has worked in your contexts?

Kind regards,
"""),
    M("vawp-r1", "therese", "2022-09-12 15:20", "vawp", """
Dear Björn,

We did a survey of women local councillors in 2021. 62% reported at least one incident of harassment or intimidation during their term, most often by fellow councillors or online. An anonymous survey was essential: very few incidents are reported to the police.

Best regards,
"""),
    M("vawp-r2", "leila", "2022-09-13 09:40", "vawp", """
Hi Björn,

For online violence, we monitored the social media accounts of 40 women and 40 men candidates during the 2022 parliamentary elections, with a simple classification of abusive messages. Women received fewer messages in total but a much higher share of sexualised and personal attacks. The method is described in our report: https://www.youth-lb.example.org/reports/online-violence-candidates-2022.pdf

Best,
"""),
    M("vawp-r3", "mariam", "2022-09-14 11:10", "vawp", """
Dear Björn,

In the parliament we support, the women's caucus set up a confidential reporting channel and a code of conduct for members. Measuring is important, but I would also recommend investing in institutional responses, so that women who report see that something happens.

Regards,
"""),
    M("vawp-r4", "priya", "2022-09-15 08:30", "vawp", """
Hi Björn,

Incident monitoring by women's organisations at the local level, combined with periodic surveys, worked for us in two Indian states. The surveys give prevalence; the incident data gives the stories and the patterns that make advocacy possible.

Warm regards,
"""),
)

thread(
    "Plateformes de signalement de la corruption au niveau communal",
    M("signal", "youssef", "2022-11-07 10:00", None, """
Bonjour à toutes et à tous,

Plusieurs communes marocaines envisagent de créer une plateforme en ligne où les citoyens peuvent signaler des cas de corruption ou de mauvaise gestion. Avez-vous des expériences de plateformes de ce type au niveau local ? Comment protéger les lanceurs d'alerte et garantir un suivi des signalements ?

Merci d'avance,
"""),
    M("signal-r1", "nadia", "2022-11-07 15:30", "signal", """
Bonjour Youssef,

En Tunisie, une instance nationale a géré une plateforme de
signalement. La leçon principale : sans garantie de confidentialité et
sans retour au déclarant sur la suite donnée, les citoyens cessent
d'utiliser la plateforme après quelques mois.

Nous recommandons un numéro de suivi pour chaque signalement et la
publication trimestrielle de statistiques (reçus, traités, transmis à
la justice).

Bien à vous,
"""),
    M("signal-r2", "jb", "2022-11-08 09:20", "signal", """
Cher Youssef,

En RDC, nous avons utilisé des lignes vertes par SMS plutôt qu'une plateforme web, car l'accès à internet est limité. Un défi majeur a été la protection des personnes qui signalent : certains ont subi des représailles au niveau local. Il faut que les signalements soient traités par une structure indépendante de la commune concernée.

Cordialement,
"""),
    M("signal-r3", "francois", "2022-11-09 11:00", "signal", """
Bonjour Youssef,

Je vous recommande le rapport « Dispositifs de signalement et
protection des lanceurs d'alerte en Afrique de l'Ouest » (2021) :
https://www.matd-bf.example.org/docs/signalement-lanceurs-alerte-2021.pdf

Cordialement,
"""),
    M("signal-r4", "youssef", "2022-11-14 09:30", "signal", """
Merci Nadia, Jean-Baptiste et François. La confidentialité, le numéro de suivi et le traitement par une structure indépendante seront au cœur de notre note aux communes.

Amitiés,
""", style="none"),
    lang="fr",
)

# ===========================================================================
# 2023
# ===========================================================================

thread(
    "Community scorecards for village budgets",
    M("scorecard", "siti", "2023-02-06 09:30", None, """
Dear colleagues,

We are planning to pilot community scorecards linked to village budgets in two districts. I remember that some members used scorecards together with budget hearings. How did you connect the scorecard results to budget decisions, and how did you keep the process from becoming a one-off exercise?

Best,
"""),
    M("scorecard-r1", "samuel", "2023-02-06 14:00", "scorecard", """
Dear Siti,

In Uganda we timed the scorecard exercise two months before the budget conference, so that the joint action plans agreed by communities and service providers could be presented there. The main lesson we learned is that timing is everything: scorecards done after the budget is approved only produce complaints.

To avoid one-off exercises, we trained sub-county community development officers to facilitate scorecards as part of their regular work.

Kind regards,
"""),
    M("scorecard-r2", "bikash", "2023-02-07 10:30", "scorecard", """
Dear Siti,

In Nepal, some municipalities use public hearings and social audits required by law, and we added a simple scorecard on ward services. A good practice we found was to score the ward office itself (opening hours, time to get a recommendation letter), not only schools and health posts. Ward chairs took it seriously because it was about their own performance.

Regards,
"""),
    M("scorecard-r3", "maria", "2023-02-08 08:45", "scorecard", """
Dear Siti,

Our "Community scorecard facilitator's manual" (2022) has a chapter on linking results to the local budget calendar: https://www.budget-ph.example.org/toolkits/community-scorecard-manual-2022.pdf

In the Philippines the scorecards were most effective when civil society representatives in the local development council used them to argue for specific budget lines.

Best regards,
"""),
    M("scorecard-r4", "huong", "2023-02-09 10:15", "scorecard", """
Dear Siti,

In Viet Nam a national survey of citizens' experience with public administration and services is published every year by province. Local scorecards were useful to explain the survey results at commune level. Maybe you can connect your pilot to an existing national survey, so that it does not depend only on project funding.

Best regards,
"""),
    M("scorecard-r5", "siti", "2023-02-13 08:00", "scorecard", """
Thank you Samuel, Bikash, Maria and Hương. We will schedule the scorecards before the village musrenbang and train village facilitators, as you suggest.

Best,
""", style="none"),
)

thread(
    "Countering disinformation during elections",
    M("disinfo", "olena", "2023-05-08 10:00", None, """
Dear colleagues,

Election-related disinformation is growing everywhere, and generative AI makes fake audio and video cheaper. What approaches have electoral management bodies and civil society used that actually helped: fact-checking coalitions, agreements with platforms, media literacy, rapid response by the election commission? Which ones disappointed?

Olena
"""),
    M("disinfo-r1", "fiona", "2023-05-08 22:30", "disinfo", """
> What approaches have electoral management bodies and civil society
> used that actually helped

The evidence on corrections is fairly consistent: fact-checks reduce
belief in specific false claims, but the effect is small and fades, and
they rarely reach the people who saw the original claim.

> Which ones disappointed?

Voluntary agreements with platforms, in most countries we studied.
Commitments were general and hard to verify.

What looks more promising is "prebunking": explaining in advance how
the voting and counting process works, so that false claims about
fraud find less space.
""", style="inline"),
    M("disinfo-r2", "chidi", "2023-05-09 09:10", "disinfo", """
Hi Olena,

During the 2023 elections in Nigeria, a coalition of fact-checkers, media houses and youth groups ran a situation room on election day. A good practice we found was to publish corrections in local languages as short voice notes, because that is how rumours travel on messaging apps.

The main challenge was speed: a false claim about result transmission spread in an hour; our correction took half a day.

Best regards,
"""),
    M("disinfo-r3", "dragos", "2023-05-09 14:00", "disinfo", """
Dear Olena,

The election commission in Moldova has a dedicated team that monitors
social media and answers false claims about procedures on the same day.
The lesson: the commission must be a trusted, fast and boring source of
facts about the process. It should not engage in political debates.

Best regards,
"""),
    M("disinfo-r4", "aigerim", "2023-05-10 10:20", "disinfo", """
Hello Olena,

Our civic education centre integrated media literacy modules into the school curriculum for grades 9-11. It is long-term work, but teachers report that students now ask "who made this and why?" more often. The teacher guide "Checking before sharing" is available in Kyrgyz and Russian on request.

Regards,
"""),
    M("disinfo-r5", "tom", "2023-05-11 08:40", "disinfo", """
Hi Olena,

We published a short practice note this year: "Election disinformation: what works for electoral management bodies" (Westbridge Democracy Foundation, 2023), https://www.wdf.example.org/publications/election-disinformation-note-2023.pdf - it agrees with Fiona and Dragoș that proactive, timely information about procedures is the most cost-effective approach.

Best,
"""),
    M("disinfo-r6", "ahmed", "2023-05-11 12:15", "disinfo", """
Dear Olena,

In Bangladesh, rumours about ballot stuffing spread through videos recorded at other times and places. The election commission started publishing photos and results forms per polling station shortly after the count. Transparency of results data was the best answer to disinformation about results.

Regards,
"""),
    M("disinfo-r7", "olena", "2023-05-15 09:00", "disinfo", """
Thank you all. My summary: prebunking and fast, factual communication by
the election commission, corrections in the formats people actually use
(voice notes, local languages), publishing results data per polling
station, and media literacy for the long term.

Olena
""", style="none"),
)

thread(
    "Gobierno abierto municipal: ¿cómo institucionalizar los compromisos?",
    M("gabierto", "carlos", "2023-08-14 10:00", None, """
Estimados colegas:

Varias municipalidades de nuestra red firmaron planes de acción de gobierno abierto, pero los compromisos suelen abandonarse cuando cambia la gestión. ¿Cómo han logrado institucionalizar los compromisos de gobierno abierto a nivel local, más allá de un periodo de gobierno?

Saludos,
"""),
    M("gabierto-r1", "monica", "2023-08-14 15:30", "gabierto", """
Hola Carlos:

En nuestro municipio aprobamos un reglamento de participación ciudadana y gobierno abierto en el cabildo, con votos de todos los partidos. El reglamento crea un secretariado técnico mixto (gobierno y sociedad civil) que sobrevivió al cambio de administración en 2021.

La lección: lo que está solo en un plan de acción depende de la voluntad de la autoridad; lo que está en un reglamento tiene más posibilidades de continuar.

Saludos,
"""),
    M("gabierto-r2", "lucia", "2023-08-15 09:45", "gabierto", """
Hola Carlos y Mónica:

Coincido. Agregaría que los funcionarios de carrera son clave: en Guatemala, donde los compromisos se asignaron a unidades permanentes (por ejemplo, la dirección de planificación) y no a asesores del alcalde, hubo más continuidad.

Saludos,
"""),
    M("gabierto-r3", "jose", "2023-08-16 11:20", "gabierto", """
Estimado Carlos:

En Bolivia, lo que ayudó fue que las organizaciones sociales se
apropiaran de los compromisos. Cuando las juntas vecinales exigen la
rendición de cuentas, las nuevas autoridades no pueden abandonarla
fácilmente.

Saludos cordiales,
"""),
    M("gabierto-r4", "ana", "2023-08-17 08:30", "gabierto", """
Carlos, buenos días:

Desde Colombia, recomiendo incluir los compromisos de gobierno abierto en el plan de desarrollo municipal, que es obligatorio y tiene metas e indicadores. Así quedan en los informes de seguimiento que revisa el concejo.

Un saludo cordial,
"""),
    M("gabierto-r5", "carlos", "2023-08-21 09:10", "gabierto", """
Muchas gracias Mónica, Lucía, José Luis y Ana María. Reglamento aprobado por el concejo, unidades permanentes, apropiación social e inclusión en el plan de desarrollo: cuatro ideas muy concretas para nuestra red.

Saludos,
""", style="none"),
    lang="es",
)

thread(
    "Fiscal transfer formulas and equity between local governments",
    M("transfers", "bikash", "2023-11-06 10:00", None, """
Dear colleagues,

Nepal's fiscal commission is reviewing the formula for equalisation grants to local governments. Do you have examples of transfer formulas that balance equity (need) with performance incentives, and what lessons have you learned?

Regards,
"""),
    M("transfers-r1", "samuel", "2023-11-06 15:10", "transfers", """
Dear Bikash,

Uganda's discretionary development grant combines a formula based on population, poverty and area with a performance component based on an annual assessment of local governments. The performance component improved compliance with planning and reporting rules. But poorer districts with weaker capacity tend to score lower, so they lose money; the lesson is to pair performance grants with capacity support.

Kind regards,
"""),
    M("transfers-r2", "priya", "2023-11-07 09:30", "transfers", """
Hi Bikash,

In India, state finance commissions vary a lot in how they allocate funds to local bodies. The lesson from research is that predictability matters as much as the formula: local governments cannot plan, or involve citizens in planning, if they do not know how much they will receive.

Warm regards,
"""),
    M("transfers-r3", "francois", "2023-11-08 10:45", "transfers", """
Dear Bikash,

In Burkina Faso the transfers for decentralised competences (health,
education, water) were often delayed, which made local planning
difficult. Publishing the amounts and the dates of transfers per
commune on the ministry website improved the situation because
mayors and citizens could follow them.

Regards,
"""),
    M("transfers-r4", "mohamed", "2023-11-09 08:20", "transfers", """
Hello Bikash,

In Somalia the intergovernmental fiscal framework is still under discussion. What we learned from pilots: keep the formula simple enough that district councils can understand and explain it to citizens.

Best regards,
"""),
)

# ===========================================================================
# 2024
# ===========================================================================

thread(
    "Youth participation in the upcoming local council elections: what works?",
    M("youth24", "mohamed", "2024-02-12 09:00", None, """
Dear colleagues,

Several districts in Somalia will hold local council elections this year, some of them for the first time through direct voting. More than 70% of the population is under 30. What approaches have worked to involve young people as voters, candidates and observers in local elections? Any practical guides would be very useful.

Best regards,
"""),
    M("youth24-r1", "helena", "2024-02-12 11:30", "youth24", """
Dear Mohamed,

This question has come up on the list before, and the earlier threads are full of useful experiences:

- "How to engage first-time young voters?" (March 2019)
- "Ideas to get young people to vote in municipal elections?" (February 2022)

Both are in the archive at https://lists.example.org/pipermail/gov-cop/ - and I am sure members will add newer experiences.

Best regards,
"""),
    M("youth24-r2", "chidi", "2024-02-12 14:45", "youth24", """
Hi Mohamed,

Adding to what I shared in 2019 and 2022: in our latest programme we supported young candidates, not only young voters. A short "candidate academy" (campaign planning, public speaking, campaign finance rules) for 120 young aspirants led to 31 of them winning local council seats in 2023.

The lesson: when young people see peers on the ballot, youth turnout goes up.

Best regards,
"""),
    M("youth24-r3", "leila", "2024-02-13 10:10", "youth24", """
Hi Mohamed,

In 2022 we combined candidate town halls with a youth mock council on the municipal budget, following advice from this list. Around 600 young people took part. In the mock council they discovered what a municipality actually decides, and many of them voted for the first time.

Best,
"""),
    M("youth24-r4", "aigerim", "2024-02-13 15:00", "youth24", """
Hello Mohamed,

For a first direct local election, I would also recommend civic education in schools and universities with simulated elections. Our teacher guide "Elections in the classroom" has been adapted by two other countries; we can share the template.

Regards,
"""),
    M("youth24-r5", "mohamed", "2024-02-19 08:30", "youth24", """
Thank you Helena for the links to the earlier discussions, and Chidinma, Leila and Aigerim for the new experiences. A candidate academy and mock councils will be part of our plan.

Best regards,
""", style="none"),
    tag="recurring-youth",
)

thread(
    "AI tools in public administration - any governance guidelines?",
    M("ai", "priya", "2024-04-08 10:00", None, """
Dear colleagues,

Several municipalities we work with are starting to use AI tools: chatbots for citizen queries, automated analysis of complaints, even drafting of council minutes. Are there governance guidelines for local governments on the use of AI (transparency, accountability, data protection)? What has your experience been?

Warm regards,
"""),
    M("ai-r1", "olena", "2024-04-08 14:20", "ai", """
Hi Priya,

Some cities keep a public "algorithm register" listing every automated
system they use, its purpose, the data it uses and a contact person. It
is a simple first step towards accountability, and it does not require
a national law.

Olena
"""),
    M("ai-r2", "bjorn", "2024-04-09 09:30", "ai", """
Dear Priya,

We funded a short guide for local governments, "Responsible use of AI in local government: a checklist" (Nordic Democracy Fund, 2024), https://www.ndf.example.org/library/ai-local-government-checklist-2024.pdf - it covers procurement clauses, impact assessment, human review of decisions and informing citizens.

Kind regards,
"""),
    M("ai-r3", "dragos", "2024-04-10 10:00", "ai", """
> Are there governance guidelines for local governments on the use of
> AI (transparency, accountability, data protection)?

In Moldova the State Chancellery is drafting guidelines for public
institutions, aligned with the data protection law. The main lesson
from our pilot chatbot: always tell citizens when they are talking to
a machine, and give them an easy way to reach a person.
""", style="inline"),
    M("ai-r4", "huong", "2024-04-11 11:00", "ai", """
Dear Priya,

Our institute is studying the use of AI to analyse citizens' feedback in several provinces. One challenge is that tools trained mostly on standard Vietnamese perform worse on feedback written in ethnic minority languages or informal style, which risks making some voices less visible. Testing on local data before use is essential.

Best regards,
"""),
    M("ai-r5", "priya", "2024-04-15 09:00", "ai", """
Thank you Olena, Björn, Dragoș and Hương. An algorithm register, a procurement checklist, disclosure to citizens and testing on local data make a good starting point for our guidance note.

Warm regards,
""", style="none"),
)

thread(
    "Using the civil registry and digital ID for voter lists",
    M("vreg24", "siti", "2024-06-10 09:00", None, """
Dear colleagues,

Indonesia's voter list is built from the population administration data, but we still see problems with people who moved or died. Does anyone have experience with linking voter lists to a digital ID or civil registry, and with keeping the list up to date between elections?

Best,
"""),
    M("vreg24-r1", "kwame2", "2024-06-10 16:40", "vreg24", """
Hi Siti,

This came up on the list in 2020 and 2022 (biometric registration, and moving from paper to digital registers) and both threads are worth reading.

In short: a link to the civil registry helps, but only if the death and migration records are complete. Continuous updating needs a legal basis for data sharing between agencies and a way for voters to check and correct their own record.

Kwame
""", mobile=True),
    M("vreg24-r2", "joao", "2024-06-11 02:30", "vreg24", """
Hi Siti,

Since our 2022 plan we linked the voter register to the civil registry
for new 17-year-olds (pre-registration) and for deaths. The death link
removed about 9,000 records in the first year. Moves between
municipalities are still a problem because people do not update their
address.
"""),
    M("vreg24-r3", "siti", "2024-06-14 09:20", "vreg24", """
Thank you Kwame and João, and for pointing to the earlier threads. The point on the legal basis for data sharing is exactly what our commission is discussing.

Best,
""", style="none"),
    tag="recurring-voter-registration",
)

thread(
    "Survey: how do you use gov-cop?",
    M("survey", "helena", "2024-10-07 09:00", None, """
Dear members,

As gov-cop approaches its fifteenth year, the facilitation team would like to know how you use the list and what would make it more useful: better search of past discussions, summaries of e-discussions, directories of experts?

The survey takes 5 minutes: https://www.gpn.example.org/gov-cop/survey-2024

Thank you,
"""),
    M("survey-r1", "wanjiru", "2024-10-07 13:00", "survey", """
Done! My wish: an easy way to find what was said before on a topic. I keep searching my inbox for the 2021 e-discussion on local budgeting.

Best,
"""),
    M("survey-r2", "bikash", "2024-10-08 08:15", "survey", """
Dear Helena,

Completed. A directory of members with their experience areas would be very helpful, for example to find who has worked on fiscal transfers or public hearings.

Regards,
"""),
)

# The daily digest: a Mailman 2 plain-text digest sent to digest subscribers,
# holding messages that are ALSO in the archive individually.
DIGEST = dict(volume=12, issue=3, date="2020-04-16 00:05",
              members=["covid-r2", "covid-r3", "covid-r4"])


# ===========================================================================
# Rendering
# ===========================================================================

WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
               "Saturday", "Sunday"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July",
             "August", "September", "October", "November", "December"]
WD_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
         "dimanche"]
MO_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
         "août", "septembre", "octobre", "novembre", "décembre"]
WD_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado",
         "domingo"]
MO_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
         "agosto", "septiembre", "octubre", "noviembre", "diciembre"]
QUOTE_RE = re.compile(r"^>")
LIST_MARK = re.compile(r"^\s*(\d+[.)]|[-*])\s")


def parse_date(s, tz):
    sign = 1 if tz[0] == "+" else -1
    off = dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * sign
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M").replace(
        tzinfo=dt.timezone(off))


def rfc2822(d):
    from email.utils import format_datetime
    return format_datetime(d)


def msgid_for(key, person, d):
    h = hashlib.sha1(key.encode()).hexdigest()[:12]
    domain = person["email"].split("@", 1)[1]
    if not domain.endswith((".example.org", ".example.net", ".example.com")):
        domain = "mail.example.org"
    return "<%s.%s@%s>" % (d.strftime("%Y%m%d%H%M%S"), h, domain)


def wrap72(text):
    out = []
    for line in text.split("\n"):
        if len(line) <= 72 or line.startswith(">"):
            out.append(line)
        else:
            ind = "   " if LIST_MARK.match(line) else ""
            out.append(textwrap.fill(line, 72, break_long_words=False,
                                     break_on_hyphens=False,
                                     subsequent_indent=ind))
    return "\n".join(out)


def signature(p):
    if p["sig"] == "none":
        return ""
    lines = [p["name"]]
    if p["title"]:
        lines.append(p["title"])
    if p["org"]:
        lines.append(p["org"])
    loc = ", ".join(x for x in [p["extra"][0] if p["extra"] else "",
                                 p["country"]] if x)
    if loc:
        lines.append(loc)
    lines += p["extra"][1:]
    sig = "\n".join(lines)
    return ("-- \n" + sig) if p["sig"] == "dash" else sig


def quote_header(replier, parent_msg):
    """The reply attribution in the replier's mail client and locale."""
    pp, d = parent_msg["person"], parent_msg["dt"]
    c, lang = replier["client"], replier["lang"]
    name, addr = pp["name"], pp["email"]
    h12 = d.strftime("%I:%M %p").lstrip("0")
    if c == "gmail":
        if lang == "fr":
            return "Le %s. %d %s %d à %s, %s <%s> a écrit :" % (
                WD_FR[d.weekday()][:3], d.day, MO_FR[d.month - 1], d.year,
                d.strftime("%H:%M"), name, addr)
        if lang == "es":
            return "El %s, %d %s %d a las %s, %s (<%s>) escribió:" % (
                WD_ES[d.weekday()][:3], d.day, MO_ES[d.month - 1][:3], d.year,
                d.strftime("%H:%M"), name, addr)
        return "On %s, %s %d, %d at %s %s <%s> wrote:" % (
            d.strftime("%a"), d.strftime("%b"), d.day, d.year, h12, name,
            addr)
    # thunderbird
    if lang == "fr":
        return "Le %s à %s, %s a écrit :" % (d.strftime("%d/%m/%Y"),
                                             d.strftime("%H:%M"), name)
    if lang == "es":
        return "El %s a las %s, %s escribió:" % (d.strftime("%d/%m/%Y"),
                                                 d.strftime("%H:%M"), name)
    return "On %s %s, %s wrote:" % (d.strftime("%d/%m/%Y"),
                                    d.strftime("%H:%M"), name)


def outlook_block(replier, parent_msg):
    pp, d = parent_msg["person"], parent_msg["dt"]
    lang = replier["lang"]
    subj = parent_msg["subject"]
    h12 = d.strftime("%I:%M %p").lstrip("0")
    if replier["client"] == "outlook365":
        if lang == "es":
            head = ["________________________________",
                    "De: %s <%s>" % (pp["name"], pp["email"]),
                    "Enviado: %s, %d de %s de %d %s" % (
                        WD_ES[d.weekday()], d.day, MO_ES[d.month - 1], d.year,
                        d.strftime("%H:%M")),
                    "Para: %s" % LIST_ADDR, "Asunto: %s" % subj]
        else:
            head = ["________________________________",
                    "From: %s <%s>" % (pp["name"], pp["email"]),
                    "Sent: %s, %s %d, %d %s" % (
                        WEEKDAYS_EN[d.weekday()], MONTHS_EN[d.month - 1],
                        d.day, d.year, h12),
                    "To: %s" % LIST_ADDR, "Subject: %s" % subj]
    elif lang == "fr":
        head = ["-----Message d'origine-----",
                "De : %s [mailto:%s]" % (pp["name"], pp["email"]),
                "Envoyé : %s %d %s %d %s" % (
                    WD_FR[d.weekday()], d.day, MO_FR[d.month - 1], d.year,
                    d.strftime("%H:%M")),
                "À : %s" % LIST_ADDR, "Objet : %s" % subj]
    elif lang == "es":
        head = ["-----Mensaje original-----",
                "De: %s [mailto:%s]" % (pp["name"], pp["email"]),
                "Enviado el: %s, %d de %s de %d %s" % (
                    WD_ES[d.weekday()], d.day, MO_ES[d.month - 1], d.year,
                    d.strftime("%H:%M")),
                "Para: %s" % LIST_ADDR, "Asunto: %s" % subj]
    else:
        head = ["-----Original Message-----",
                "From: %s [mailto:%s]" % (pp["name"], pp["email"]),
                "Sent: %s, %s %d, %d %s" % (
                    WEEKDAYS_EN[d.weekday()], MONTHS_EN[d.month - 1], d.day,
                    d.year, h12),
                "To: %s" % LIST_ADDR, "Subject: %s" % subj]
    return "\n".join(head)


def new_text_of(body, style):
    if style != "inline":
        return body.strip()
    blocks = [b for b in re.split(r"\n\s*\n", body)
              if not all(QUOTE_RE.match(l) for l in b.split("\n"))]
    return "\n\n".join(b.strip("\n") for b in blocks).strip()


def first_paragraphs(text, n=1):
    return "\n\n".join(re.split(r"\n\s*\n", text.strip())[:n])


def compose(msgs_by_key, m):
    """Build the posted body (without list footer) of message m."""
    p = m["person"]
    style = m["style"]
    parent = msgs_by_key.get(m["parent"]) if m["parent"] else None
    if style is None:
        if parent is None:
            style = "none"
        elif p["client"].startswith("outlook"):
            style = "top"
        else:
            style = "bottom"
    if parent is None:
        style = "none" if style != "inline" else style
    m["style_used"] = style
    body = m["body"]
    if p["client"] == "thunderbird":
        body = wrap72(body)
    m["new_text"] = new_text_of(body, style)
    sig = signature(p)
    tail = []
    if m["mobile"]:
        tail.append("Sent from my phone")
    if sig:
        tail.append(sig)
    own = body + ("\n\n" + "\n\n".join(tail) if tail else "")
    # the disclaimer is appended by the sender's mail gateway, at the very
    # end of the message (after any quoted text)
    disc = ("\n\n" + DISCLAIMER) if p["disclaimer"] else ""
    if style == "none":
        return own + disc
    if style == "top":
        return own + "\n\n" + outlook_block(p, parent) + "\n\n" + \
            parent["posted"] + disc
    qsrc = parent["posted"] if style in ("bottom", "inline") else \
        first_paragraphs(parent["new_text"], 2)
    quoted = "\n".join((">" if not l.strip() else "> " + l)
                       if not l.startswith(">") else ">" + l
                       for l in qsrc.split("\n"))
    if style == "trim":
        quoted += "\n> [...]"
    hdr = quote_header(p, parent)
    if style == "inline":
        return hdr + "\n\n" + body + ("\n\n" + "\n\n".join(tail)
                                      if tail else "") + disc
    return hdr + "\n" + quoted + "\n\n" + own + disc


def encode_header_name(p):
    name = p["name"]
    try:
        name.encode("ascii")
        if any(c in name for c in ",.()<>@;:\"'"):
            return '"%s" <%s>' % (name, p["email"])
        return "%s <%s>" % (name, p["email"])
    except UnicodeEncodeError:
        cs = p["charset"] if p["charset"] != "us-ascii" else "utf-8"
        try:
            name.encode(cs)
        except UnicodeEncodeError:
            cs = "utf-8"
        return "%s <%s>" % (Header(name, cs).encode(), p["email"])


def encode_subject(s, cs):
    try:
        s.encode("ascii")
        return s
    except UnicodeEncodeError:
        try:
            s.encode(cs)
        except UnicodeEncodeError:
            cs = "utf-8"
        return Header(s, cs, maxlinelen=76,
                      header_name="Subject").encode()


def encode_body(text, p):
    """Returns (charset, cte, encoded_text)."""
    try:
        text.encode("ascii")
        return "us-ascii", "7bit", text
    except UnicodeEncodeError:
        pass
    cs = p["charset"]
    try:
        raw = text.encode(cs)
    except UnicodeEncodeError:
        cs = "utf-8"
        raw = text.encode(cs)
    if p["enc"] == "b64":
        b = base64.encodebytes(raw).decode("ascii")
        return cs, "base64", b.rstrip("\n")
    if p["enc"] == "8bit":
        return cs, "8bit", text
    qp = quopri.encodestring(raw).decode("ascii").rstrip("\n")
    # careful mailers protect a leading "From " inside QP bodies
    return cs, "quoted-printable", re.sub(r"(?m)^From ", "=46rom ", qp)


def fold_refs(refs):
    return "\n\t".join(refs)


def mailer_headers(p):
    if p["client"] == "outlook":
        return ["X-Mailer: Microsoft Outlook 16.0"]
    if p["client"] == "outlook365":
        return ["X-MS-Has-Attach: ", "Content-Language: " +
                {"es": "es-CO", "fr": "fr-FR"}.get(p["lang"], "en-GB")]
    if p["client"] == "thunderbird":
        return ["User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:91.0) "
                "Gecko/20100101 Thunderbird/91.13.0"]
    return []


LIST_HEADERS = [
    "X-BeenThere: gov-cop@lists.example.org",
    "X-Mailman-Version: 2.1.29",
    "Precedence: list",
    "List-Id: Democratic governance community of practice "
    "<gov-cop.lists.example.org>",
    "List-Unsubscribe: <https://lists.example.org/mailman/options/gov-cop>,\n"
    "\t<mailto:gov-cop-request@lists.example.org?subject=unsubscribe>",
    "List-Archive: <https://lists.example.org/pipermail/gov-cop/>",
    "List-Post: <mailto:gov-cop@lists.example.org>",
    "List-Help: <mailto:gov-cop-request@lists.example.org?subject=help>",
    "List-Subscribe: <https://lists.example.org/mailman/listinfo/gov-cop>,\n"
    "\t<mailto:gov-cop-request@lists.example.org?subject=subscribe>",
    "Errors-To: gov-cop-bounces@lists.example.org",
    "Sender: \"gov-cop\" <gov-cop-bounces@lists.example.org>",
]


def render_raw(m):
    """Full RFC 5322 message text (str; may contain 8bit) as delivered."""
    p = m["person"]
    delivered = m["posted"] + "\n\n" + FOOTER
    cs, cte, enc = encode_body(delivered, p)
    h = ["From: " + encode_header_name(p),
         "To: " + LIST_ADDR,
         "Subject: " + encode_subject(m["subject"], p["charset"]),
         "Date: " + rfc2822(m["dt"]),
         "Message-ID: " + m["msgid"]]
    if m["in_reply_to"]:
        h.append("In-Reply-To: " + m["in_reply_to"])
        h.append("References: " + fold_refs(m["references"]))
    h += mailer_headers(p)
    h += ["MIME-Version: 1.0",
          'Content-Type: text/plain; charset="%s"' % cs,
          "Content-Transfer-Encoding: " + cte]
    h += LIST_HEADERS
    return "\n".join(h) + "\n\n" + enc + "\n"


def build_messages():
    msgs, by_key = [], {}
    for t in THREADS:
        root_subject = "[gov-cop] " + t["subject"]
        for spec in t["msgs"]:
            m = dict(spec)
            p = PEOPLE[m["author"]]
            m["person"] = p
            m["dt"] = parse_date(m["date"], p["tz"])
            m["msgid"] = msgid_for(m["key"], p, m["dt"])
            m["thread"] = t
            parent = by_key.get(m["parent"]) if m["parent"] else None
            if m["subject"]:
                subj = "[gov-cop] " + m["subject"]
                if parent is not None:
                    subj = "Re: " + subj
            elif parent is None:
                subj = root_subject
            else:
                base = parent["subject"]
                base = re.sub(r"^(re|RE|Re|AW|RV|TR)\s?:\s*", "", base)
                prefix = "RE: " if p["client"].startswith("outlook") else \
                    "Re: "
                subj = prefix + base
            m["subject"] = subj
            if parent is not None:
                m["in_reply_to"] = parent["msgid"]
                m["references"] = (parent["references"] or []) + \
                    [parent["msgid"]]
            else:
                m["in_reply_to"], m["references"] = None, []
            m["posted"] = compose(by_key, m)
            if m["key"] in by_key:
                raise SystemExit("duplicate key " + m["key"])
            by_key[m["key"]] = m
            msgs.append(m)
    return msgs, by_key


def digest_message(by_key):
    d = parse_date(DIGEST["date"], "+0000")
    items = [by_key[k] for k in DIGEST["members"]]
    vol, iss = DIGEST["volume"], DIGEST["issue"]
    out = ["Send gov-cop mailing list submissions to",
           "\tgov-cop@lists.example.org", "",
           "To subscribe or unsubscribe via the World Wide Web, visit",
           "\t" + LISTINFO,
           "or, via email, send a message with subject or body 'help' to",
           "\tgov-cop-request@lists.example.org", "",
           "You can reach the person managing the list at",
           "\tgov-cop-owner@lists.example.org", "",
           "When replying, please edit your Subject line so it is more "
           "specific",
           'than "Re: Contents of gov-cop digest..."', "", "",
           "Today's Topics:", ""]
    for i, m in enumerate(items, 1):
        out.append(textwrap.fill("%2d. %s (%s)" % (
            i, m["subject"], m["person"]["name"]), 70, initial_indent="  ",
            subsequent_indent="      ", break_long_words=False))
    out += ["", "", "-" * 70, ""]
    for i, m in enumerate(items, 1):
        cs, _, _ = encode_body(m["posted"], m["person"])
        out += ["Message: %d" % i,
                "Date: " + rfc2822(m["dt"]),
                "From: %s <%s>" % (m["person"]["name"], m["person"]["email"]),
                "To: " + LIST_ADDR,
                "Subject: " + m["subject"],
                "Message-ID: " + m["msgid"],
                'Content-Type: text/plain; charset="%s"' % cs, "",
                m["posted"], "", "-" * 30, ""]
    out += [FOOTER.rstrip("\n"), "", "",
            "End of gov-cop Digest, Vol %d, Issue %d" % (vol, iss),
            "*" * 40, ""]
    text = "\n".join(out)
    subject = "gov-cop Digest, Vol %d, Issue %d" % (vol, iss)
    msgid = "<mailman.3.%s.1234.gov-cop@lists.example.org>" % \
        d.strftime("%Y%m%d%H%M")
    h = ["From: gov-cop-request@lists.example.org",
         "To: gov-cop@lists.example.org",
         "Subject: " + subject,
         "Date: " + rfc2822(d),
         "Message-ID: " + msgid,
         "MIME-Version: 1.0",
         'Content-Type: text/plain; charset="utf-8"',
         "Content-Transfer-Encoding: 8bit",
         "Reply-To: gov-cop@lists.example.org"] + LIST_HEADERS
    raw = "\n".join(h) + "\n\n" + text.rstrip("\n") + "\n"
    return dict(msgid=msgid, dt=d, raw=raw, subject=subject,
                sender="gov-cop-request@lists.example.org",
                members=[m["msgid"] for m in items])


FROM_LINE = re.compile(r"^(>*From )", re.M)


def mbox_entry(sender, d, raw):
    u = d.astimezone(dt.timezone.utc)
    sep = "From %s %s" % (sender, u.strftime("%a %b %e %H:%M:%S %Y"))
    body = FROM_LINE.sub(r">\1", raw)
    return sep + "\n" + body + "\n"


ADDR_RE = re.compile(r"([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def obfuscate(s):
    return ADDR_RE.sub(r"\1 at \2", s)


def pipermail_entry(m):
    p = m["person"]
    u = m["dt"].astimezone(dt.timezone.utc)
    lines = ["From %s  %s" % (obfuscate(p["email"]),
                              u.strftime("%a %b %e %H:%M:%S %Y")),
             "From: %s (%s)" % (obfuscate(p["email"]), p["name"]),
             "Date: " + rfc2822(m["dt"]),
             "Subject: " + m["subject"]]
    if m["in_reply_to"]:
        lines.append("In-Reply-To: " + m["in_reply_to"])
        lines.append("References: " + fold_refs(m["references"]))
    lines.append("Message-ID: " + m["msgid"])
    body = obfuscate(m["posted"] + "\n\n" + FOOTER)
    body = FROM_LINE.sub(r">\1", body)
    return "\n".join(lines) + "\n\n" + body + "\n\n"


def main():
    msgs, by_key = build_messages()
    dig = digest_message(by_key)

    # --- mbox (chronological, digest included) -----------------------------
    entries = [(m["dt"], m["msgid"], mbox_entry(m["person"]["email"], m["dt"],
                                                render_raw(m))) for m in msgs]
    entries.append((dig["dt"], dig["msgid"],
                    mbox_entry(dig["sender"], dig["dt"], dig["raw"])))
    entries.sort(key=lambda e: (e[0], e[1]))
    # each message's declared charset decides its bytes (8bit bodies)
    out = bytearray()
    enc_of = {m["msgid"]: encode_body(m["posted"] + "\n\n" + FOOTER,
                                      m["person"])[0] for m in msgs}
    for _, mid, text in entries:
        cs = enc_of.get(mid, "utf-8")
        cs = "utf-8" if cs == "us-ascii" else cs
        out += text.encode(cs)
    (HERE / "gov-cop.mbox").write_bytes(bytes(out))

    # --- pipermail monthly .txt.gz (digest not archived) ---------------------
    pdir = HERE / "pipermail"
    pdir.mkdir(exist_ok=True)
    for old in pdir.glob("*.txt.gz"):
        old.unlink()
    months = {}
    for m in sorted(msgs, key=lambda m: (m["dt"].astimezone(dt.timezone.utc),
                                         m["msgid"])):
        u = m["dt"].astimezone(dt.timezone.utc)
        months.setdefault((u.year, u.month), []).append(m)
    for (y, mo), ms in sorted(months.items()):
        text = "".join(pipermail_entry(m) for m in ms)
        name = "%d-%s.txt.gz" % (y, MONTHS_EN[mo - 1])
        with open(pdir / name, "wb") as fh:
            with gzip.GzipFile(filename="", mode="wb", fileobj=fh,
                               mtime=0) as gz:
                gz.write(text.encode("utf-8"))

    write_answers(msgs, by_key, dig, sorted(months))
    print("wrote %d messages + 1 digest, %d threads, %d pipermail months" % (
        len(msgs), len(THREADS), len(months)))


def write_answers(msgs, by_key, dig, months):
    def pid(p):
        return p["person"] or next(k for k, v in PEOPLE.items() if v is p)

    ed = next(t for t in THREADS if t["tags"].get("tag") == "ediscussion")
    ed_msgs = [by_key[s["key"]] for s in ed["msgs"]]
    query = ed_msgs[0]
    fac = query["person"]
    responses = [m for m in ed_msgs if m["person"] is not fac]
    contributors, seen = [], set()
    for m in responses:
        p = m["person"]
        if p["name"] in seen:
            continue
        seen.add(p["name"])
        contributors.append(dict(name=p["name"], country=p["country"],
                                 organisation=p["org"], title=p["title"],
                                 email=p["email"],
                                 first_response=m["msgid"]))
    recurring = {}
    for t in THREADS:
        tag = t["tags"].get("tag", "")
        if tag.startswith("recurring-"):
            recurring.setdefault(tag, []).append(t)
    questions = {
        "recurring-youth": "How to engage young people / first-time voters "
                           "in elections",
        "recurring-voter-registration": "Technology (biometrics, digital "
                                        "registers, civil-registry links) for "
                                        "voter registration",
    }
    identities = {}
    for k, p in PEOPLE.items():
        if p["person"]:
            identities.setdefault(p["person"], []).append(p)
    people_ids = {pid(m["person"]) for m in msgs}
    countries = sorted({PEOPLE[k]["country"] for k in people_ids
                        if PEOPLE[k]["country"]})
    langs = {"fr": [], "es": []}
    for t in THREADS:
        lang = t["tags"].get("lang")
        if lang in langs:
            langs[lang] += [by_key[s["key"]]["msgid"] for s in t["msgs"]]
    for k in ("ed-r05", "ed-r12", "ed-r14"):
        langs["fr"].append(by_key[k]["msgid"])
    for k in ("ed-r06", "ed-r10", "ed-r21"):
        langs["es"].append(by_key[k]["msgid"])
    ans = {
        "_note": "Answer key for the ILLUSTRATIVE gov-cop demo corpus. "
                 "Generated by build_demo.py; do not edit by hand.",
        "counts": {
            "messages": len(msgs),
            "mbox_messages": len(msgs) + 1,
            "pipermail_messages": len(msgs),
            "digests": 1,
            "threads": len(THREADS),
            "people": len(people_ids),
            "addresses": len({m["person"]["email"] for m in msgs}),
            "countries": len(countries),
            "pipermail_files": ["%d-%s.txt.gz" % (y, MONTHS_EN[mo - 1])
                                for y, mo in months],
        },
        "countries": countries,
        "threads": [dict(subject=t["subject"],
                         root=by_key[t["msgs"][0]["key"]]["msgid"],
                         message_ids=[by_key[s["key"]]["msgid"]
                                      for s in t["msgs"]],
                         language=t["tags"].get("lang", "en"))
                    for t in THREADS],
        "ediscussion": {
            "subject": "[gov-cop] " + EDISC_SUBJECT,
            "query_message_id": query["msgid"],
            "query_date": rfc2822(query["dt"]),
            "deadline": "2021-10-29",
            "facilitator": dict(name=fac["name"], title=fac["title"],
                                organisation=fac["org"],
                                country=fac["country"], email=fac["email"]),
            "thread_message_ids": [m["msgid"] for m in ed_msgs],
            "response_message_ids": [m["msgid"] for m in responses],
            # short member-to-member exchanges inside the thread (a request
            # for a document and its answer), not answers to the query
            "side_exchange_message_ids": [by_key[k]["msgid"] for k in
                                          ("ed-side1", "ed-side2")],
            "facilitator_message_ids": [m["msgid"] for m in ed_msgs
                                        if m["person"] is fac],
            "reminder_message_id": by_key["ed-remind"]["msgid"],
            "closing_message_id": by_key["ed-close"]["msgid"],
            "contributors": contributors,
            "contributor_countries": sorted({c["country"]
                                             for c in contributors}),
        },
        "digest": {"message_id": dig["msgid"], "subject": dig["subject"],
                   "contained_message_ids": dig["members"]},
        "recurring_questions": [
            dict(question=questions[tag],
                 thread_root_message_ids=[by_key[t["msgs"][0]["key"]]["msgid"]
                                          for t in ts],
                 thread_subjects=[t["subject"] for t in ts],
                 years=[by_key[t["msgs"][0]["key"]]["dt"].year for t in ts])
            for tag, ts in recurring.items()],
        "identities": [dict(person=k,
                            names=sorted({p["name"] for p in ps}),
                            addresses=[p["email"] for p in ps],
                            message_ids=[m["msgid"] for m in msgs
                                         if m["person"] in ps])
                       for k, ps in identities.items()],
        "disclaimer_message_ids": [m["msgid"] for m in msgs
                                   if m["person"]["disclaimer"]],
        "languages": langs,
        "inline_reply_message_ids": [m["msgid"] for m in msgs
                                     if m["style_used"] == "inline"],
        "top_posted_message_ids": [m["msgid"] for m in msgs
                                   if m["style_used"] == "top"],
        "bottom_posted_message_ids": [m["msgid"] for m in msgs
                                      if m["style_used"] in ("bottom", "trim")],
        "authors": {m["msgid"]: dict(name=m["person"]["name"],
                                     email=m["person"]["email"],
                                     person=pid(m["person"]),
                                     country=m["person"]["country"],
                                     organisation=m["person"]["org"],
                                     title=m["person"]["title"])
                    for m in msgs},
        "new_text": {m["msgid"]: m["new_text"] for m in msgs},
    }
    (HERE / "answers.json").write_text(
        json.dumps(ans, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")


if __name__ == "__main__":
    main()
