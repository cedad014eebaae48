"""A small gazetteer: country names (English and native forms, a few cities) -> English name."""
from __future__ import annotations

COUNTRIES: dict[str, str] = {}

_TABLE = {
    "Argentina": ("argentina",), "Australia": ("australia",), "Austria": ("austria", "österreich"),
    "Bangladesh": ("bangladesh",), "Belgium": ("belgium", "belgique", "belgië"),
    "Bolivia": ("bolivia",), "Brazil": ("brazil", "brasil"), "Bulgaria": ("bulgaria",),
    "Cambodia": ("cambodia",), "Cameroon": ("cameroon", "cameroun"), "Canada": ("canada",),
    "Chile": ("chile",), "China": ("china", "中国", "p.r. china", "prc"), "Colombia": ("colombia",),
    "Costa Rica": ("costa rica",), "Croatia": ("croatia", "hrvatska"),
    "Czech Republic": ("czech republic", "czechia", "česká republika"),
    "Denmark": ("denmark", "danmark"), "Ecuador": ("ecuador",), "Egypt": ("egypt",),
    "Ethiopia": ("ethiopia",), "Finland": ("finland", "suomi"), "France": ("france",),
    "Germany": ("germany", "deutschland"), "Ghana": ("ghana",), "Greece": ("greece",),
    "Guatemala": ("guatemala",), "Hungary": ("hungary", "magyarország"), "India": ("india",),
    "Indonesia": ("indonesia",), "Iran": ("iran",), "Ireland": ("ireland",), "Israel": ("israel",),
    "Italy": ("italy", "italia"), "Japan": ("japan", "日本"), "Jordan": ("jordan",),
    "Kenya": ("kenya",), "Korea": ("korea", "south korea", "republic of korea"),
    "Lebanon": ("lebanon",), "Malawi": ("malawi",), "Malaysia": ("malaysia",), "Mali": ("mali",),
    "Mexico": ("mexico", "méxico"), "Morocco": ("morocco", "maroc"), "Mozambique": ("mozambique", "moçambique"),
    "Nepal": ("nepal",), "Netherlands": ("netherlands", "the netherlands", "nederland", "holland"),
    "New Zealand": ("new zealand",), "Nicaragua": ("nicaragua",), "Niger": ("niger",),
    "Nigeria": ("nigeria",), "Norway": ("norway", "norge"), "Pakistan": ("pakistan",),
    "Panama": ("panama", "panamá"), "Peru": ("peru", "perú"), "Philippines": ("philippines",),
    "Poland": ("poland", "polska"), "Portugal": ("portugal",), "Romania": ("romania",),
    "Russia": ("russia", "russian federation", "россия"), "Rwanda": ("rwanda",),
    "Senegal": ("senegal", "sénégal"), "Serbia": ("serbia",), "Singapore": ("singapore",),
    "South Africa": ("south africa",), "Spain": ("spain", "españa"), "Sri Lanka": ("sri lanka",),
    "Sweden": ("sweden", "sverige"), "Switzerland": ("switzerland", "schweiz", "suisse", "svizzera"),
    "Tanzania": ("tanzania",), "Thailand": ("thailand",), "Tunisia": ("tunisia", "tunisie"),
    "Turkey": ("turkey", "türkiye"), "Uganda": ("uganda",), "Ukraine": ("ukraine", "україна"),
    "United Kingdom": ("united kingdom", "uk", "u.k.", "england", "scotland", "wales", "great britain"),
    "United States": ("united states", "usa", "u.s.a.", "united states of america"),
    "Uruguay": ("uruguay",), "Venezuela": ("venezuela",), "Vietnam": ("vietnam", "viet nam"),
    "Zambia": ("zambia",), "Zimbabwe": ("zimbabwe",),
}
for _name, _forms in _TABLE.items():
    for _f in _forms:
        COUNTRIES[_f] = _name
