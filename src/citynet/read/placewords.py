"""Words about places that the page reader needs to read a line, not to resolve it.

The reader splits names as written ("Dayton (Ohio, United States of America)" -> city
Dayton, region Ohio, country "United States of America"); to tell a country from a city
or a region in a one-word slot it checks these lists. They are plain syntax help:
resolution to GeoNames and ISO codes happens later, elsewhere.

COUNTRY_NAMES was generated once from the ISO 3166 names and their French, Portuguese,
Spanish, German, Italian and Dutch translations (pycountry), plus the variants written on
real pages (USA, UK, Holland, Brasil, Marroco, Tunesia, R.D.Congo, Capo Verde, ...).
"""

from __future__ import annotations

import unicodedata


def _names(text: str) -> list[str]:
    return text.split("|")


def fold(text: str) -> str:
    """Compare key: NFC, case-folded, accents and punctuation kept (Guiné is not Guine)."""
    return unicodedata.normalize("NFC", text).casefold().strip(" .")


# fmt: off
_COUNTRIES = (
    "Afeganistão|Afganistán|Afghanistan|Afrique du Sud|Albania|Albanie|Albanien|Albanië|"
    "Albânia|Alemanha|Alemania|Algeria|Algerien|Algerije|Algérie|Allemagne|"
    "American Samoa|Amerikaans-Samoa|Amerikanisch-Samoa|Amerikanische Jungferninseln|"
    "Andorra|Andorre|Angola|Anguila|Anguilla|Antarctica|Antarctique|Antarktis|Antartide|"
    "Antigua and Barbuda|Antigua e Barbuda|Antigua en Barbuda|Antigua und Barbuda|"
    "Antigua y Barbuda|Antigua-et-Barbuda|Antártida|Antígua e Barbuda|Arabia Saudita|"
    "Arabia Saudí|Arabie saoudite|Argentina|Argentine|Argentinien|Argentinië|Argélia|"
    "Armenia|Armenien|Armenië|Arménia|Arménie|Aruba|Arábia Saudita|Aserbaidschan|"
    "Australia|Australie|Australien|Australië|Austria|Austrália|Autriche|Azerbaigian|"
    "Azerbaijan|Azerbaijão|Azerbaiyán|Azerbaïdjan|Azerbeidzjan|Bahama's|Bahamas|Bahrain|"
    "Bahrein|Bahreïn|Bangladeche|Bangladesch|Bangladesh|Bangladés|Barbade|Barbados|"
    "Baréin|Barém|Belarus|Belgien|Belgio|Belgique|Belgium|België|Belice|Belize|Benim|"
    "Benin|Benín|Bermuda|Bermudas|Bermudes|Bhoutan|Bhutan|Bielorrusia|Bielorussia|"
    "Bielorússia|Birmania|Birmanie|Birmânia|Bolivia|Bolivie|Bolivien|Bolívia|Bosnia|"
    "Bosnia and Herzegovina|Bosnia y Herzegovina|Bosnia-Erzegovina|Bosnie-Herzégovine|"
    "Bosnien und Herzegowina|Bosnië en Herzegovina|Botsuana|Botswana|Bouvet Island|"
    "Bouvet-Insel|Bouveteiland|Brasil|Brasile|Brasilien|Brazil|Brazilië|Britain|"
    "Britische Jungferninseln|British Indian Ocean Territory|"
    "Brits Indische Oceaanterritorium|Brunei|Brunei Darussalam|Brunéi Darussalam|Brésil|"
    "Bulgaria|Bulgarie|Bulgarien|Bulgarije|Bulgária|Burkina Faso|Burquina Faso|Burundi|"
    "Bután|Butão|Bélarus|Bélgica|Bénin|Bósnia e Herzegovina|Cabe Verde|Cabo Verde|"
    "Camarões|Cambodge|Cambodia|Cambodja|Cambogia|Camboja|Camboya|Cameroon|Cameroun|"
    "Camerun|Camerún|Canada|Canadá|Cap-Vert|Cape Verde|Capo Verde|Catar|Cayman Islands|"
    "Cayman-Inseln|Cazaquistão|Cechia|Centraal-Afrikaanse Republiek|"
    "Central African Republic|Chad|Chade|Chequia|Chile|Chili|China|Chine|Chipre|"
    "Christmas Island|Christmaseiland|Chypre|Chéquia|Ciad|Cile|Cina|Cipro|Colombia|"
    "Colombie|Colômbia|Comore|Comoren|Comores|Comoros|Congo|Cook Islands|Cookeilanden|"
    "Cookinseln|Corea del Nord|Corea del Norte|Corea del Sud|Corea del Sur|Corea del sud|"
    "Coreia do Norte|Coreia do Sul|Corée du Nord|Corée du Sud|Costa Rica|Costa d'Avorio|"
    "Costa de Marfíl|Costa do Marfim|Cote d'Ivoire|Croacia|Croatia|Croatie|Croazia|"
    "Croácia|Cuba|Curazao|Curaçao|Curação|Cyprus|Czech Republic|Czechia|Côte d'Ivoire|"
    "D.R. Congo|DR Congo|Danemark|Danimarca|Democratic Republic of the Congo|"
    "Demokratische Republik Kongo|Denemarken|Denmark|Deutschland|Dinamarca|Djibouti|"
    "Dominica|Dominicaanse Republiek|Dominican Republic|Dominikanische Republik|"
    "Dominique|Dschibuti|Duitsland|Dänemark|Ecuador|Egipto|Egito|Egitto|Egypt|Egypte|"
    "Eiland Man|El Salvador|Emirados Árabes Unidos|Emirati Arabi Uniti|"
    "Emiratos Árabes Unidos|England|Equador|Equateur|Equatoriaal-Guinea|"
    "Equatorial Guinea|Eritrea|Eritreia|Eslovaquia|Eslovenia|Eslováquia|Eslovénia|"
    "Espagne|Espanha|España|Estados Unidos|Estland|Estonia|Estonie|Estónia|Esuatini|"
    "Eswatini|Etats-Unis|Ethiopia|Ethiopië|Etiopia|Etiopía|Etiópia|Faeröer|Faroe Islands|"
    "Federación Rusa|Federal Republic of Germany|Federação Russa|Fidji|Fidschi|Figi|Fiji|"
    "Filipijnen|Filipinas|Filippine|Finland|Finlande|Finlandia|Finlândia|Finnland|Fiyi|"
    "France|Francia|Frankreich|Frankrijk|Frans-Guyana|Frans-Polynesië|"
    "Franse Zuidelijke Gebieden|Französisch-Guyana|Französisch-Polynesien|"
    "Französische Süd- und Antarktisgebiete|França|French Guiana|French Polynesia|"
    "French Southern Territories|Färöer-Inseln|Gabon|Gabun|Gabão|Gabón|Gambia|Gambie|"
    "Gana|Georgia|Georgien|Germania|Germany|Geórgia|Ghana|Giamaica|Giappone|Gibilterra|"
    "Gibraltar|Gibuti|Giordania|Granada|Great Britain|Grecia|Greece|Greenland|Grenada|"
    "Grenade|Griechenland|Griekenland|Groenland|Groenlandia|Gronelândia|Groënland|Grèce|"
    "Grécia|Grönland|Guadalupa|Guadalupe|Guadeloupe|Guam|Guatemala|Guayana Francesa|"
    "Guernesey|Guernsey|Guiana|Guiana Francesa|Guinea|Guinea Ecuatorial|"
    "Guinea equatoriale|Guinea-Bissau|Guinea-Bisáu|Guinee|Guinee-Bissau|Guiné|"
    "Guiné Equatorial|Guiné-Bissáu|Guinée|Guinée Équatoriale|Guinée-Bissau|Guyana|"
    "Guyana francese|Guyane française|Gâmbia|Géorgie|Haiti|Haití|Haïti|"
    "Heard Island and McDonald Islands|Heard und McDonaldinseln|"
    "Heardeiland en McDonaldeilanden|Holland|Holy See|Honduras|Hong Kong|Hongarije|"
    "Hongkong|Hongrie|Hrvatska|Hungary|Hungria|Hungría|IJsland|Iceland|Ierland|"
    "Ilha Bouvet|Ilha Heard e Ilhas McDonald|Ilha Natal|Ilha Norfolk|Ilha Reunião|"
    "Ilha de Man|Ilhas Alanda|Ilhas Caimão|Ilhas Cocos|Ilhas Cook|Ilhas Faroé|"
    "Ilhas Geórgia do Sul e Sandwich do Sul|Ilhas Marianas do Norte|Ilhas Marshall|"
    "Ilhas Salomão|Ilhas Turcas e Caicos|Inde|India|Indien|Indonesia|Indonesien|"
    "Indonesië|Indonésia|Indonésie|Insel Man|Irak|Iran|Iraq|Iraque|Ireland|Irland|"
    "Irlanda|Irlande|Irán|Irão|Isla Bouvet|Isla Heard e Islas McDonald|Isla Norfolk|"
    "Isla de Man|Isla de Navidad|Island|Islanda|Islande|Islandia|Islas Bermudas|"
    "Islas Caimán|Islas Cook|Islas Feroe|Islas Maldivas|Islas Marianas del Norte|"
    "Islas Marshall|Islas Salomón|Islas Turcas y Caicos|Islas Äland|Isle of Man|Islândia|"
    "Isola Bouvet|Isola Norfolk|Isola di Man|Isola di Natale|Isole Cayman|Isole Cook|"
    "Isole Fær Øer|Isole Heard e McDonald|Isole Marianne Settentrionali|Isole Marshall|"
    "Isole Salomone|Isole Turks e Caicos|Isole Åland|Israel|Israele|Israël|Italia|Italie|"
    "Italien|Italië|Italy|Itália|Ivoorkust|Ivory Coast|Iémen|Jamaica|Jamaika|Jamaïque|"
    "Japan|Japon|Japão|Japón|Jemen|Jersey|Jordan|Jordania|Jordanie|Jordanien|Jordanië|"
    "Jordânia|Kaaimaneilanden|Kaapverdië|Kambodscha|Kameroen|Kamerun|Kanada|Kap Verde|"
    "Kasachstan|Katar|Kazachstan|Kazajistán|Kazakhstan|Kazakistan|Kenia|Kenya|"
    "Kirghizistan|Kirgisistan|Kirgizië|Kirguistán|Kiribati|Koeweit|Kolumbien|Komoren|"
    "Kongo|Korea|Kosovo|Koweït|Kroatien|Kroatië|Kuba|Kuwait|Kyrgyzstan|"
    "Lao People's Democratic Republic|Laos|Laos Democratische Volksrepubliek|Latvia|"
    "Lebanon|Lesotho|Lesoto|Letland|Letonia|Lettland|Lettonia|Lettonie|Letónia|Liban|"
    "Libano|Libanon|Liberia|Libia|Libië|Libya|Libye|Libyen|Libéria|Liechtenstein|Litauen|"
    "Lithuania|Litouwen|Lituania|Lituanie|Lituânia|Lussemburgo|Luxembourg|Luxemburg|"
    "Luxemburgo|Lëtzebuerg|Líbano|Líbia|Macao|Macau|Macedonia|Macedonia del Nord|"
    "Macedonia del Norte|Macedónia do Norte|Macédoine du Nord|Madagascar|Madagaskar|"
    "Madagáscar|Magyarország|Malaisie|Malasia|Malaui|Malawi|Malaysia|Maldivas|Maldive|"
    "Maldiven|Maldives|Malediven|Maleisië|Mali|Malta|Malte|Malásia|Malí|Maroc|Marocco|"
    "Marokko|Marroco|Marrocos|Marruecos|Marshall Islands|Marshalleilanden|Marshallinseln|"
    "Martinica|Martinique|Mauretanien|Maurice|Mauricio|Mauritania|Mauritanie|Mauritanië|"
    "Mauritius|Mauritânia|Maurizio|Maurícia|Mayotte|Messico|Mexico|Mexiko|Mexique|"
    "Micronesia|Moldau|Moldavia|Moldavie|Moldavië|Moldova|Moldávia|Monaco|Mongolei|"
    "Mongolia|Mongolie|Mongolië|Mongólia|Monserrate|Montenegro|Montserrat|Monténégro|"
    "Morocco|Mosambik|Mozambico|Mozambique|Moçambique|Myanmar|México|Mónaco|Namibia|"
    "Namibie|Namibië|Namíbia|Nauru|Nederland|Nepal|Netherlands|Neukaledonien|Neuseeland|"
    "New Caledonia|New Zealand|Nicaragua|Nicarágua|Niederlande|Nieuw-Caledonië|"
    "Nieuw-Zeeland|Niger|Nigeria|Nigéria|Nioue|Niue|Noord-Korea|Noord-Macedonië|"
    "Noordelijke Marianen|Noorwegen|Nordkorea|Nordmazedonien|Norfolk|Norfolk Island|"
    "Norfolkinsel|North Korea|North Macedonia|Northern Ireland|Northern Mariana Islands|"
    "Noruega|Norvegia|Norvège|Norway|Norwegen|Nouvelle-Calédonie|Nouvelle-Zélande|"
    "Nova Caledónia|Nova Zelândia|Nueva Caledonia|Nueva Zelanda|Nuova Caledonia|"
    "Nuova Zelanda|Népal|Níger|Nördliche Marianen|Oeganda|Oekraïne|Oezbekistan|Oman|Omán|"
    "Omã|Oost-Timor|Oostenrijk|Ouganda|Ouzbékistan|Paesi Bassi|Paesi Bassi caraibici|"
    "Pakistan|Pakistán|Palaos|Palau|Palestine|Panama|Panamá|Papoea-Nieuw-Guinea|"
    "Papouasie-Nouvelle-Guinée|Papua New Guinea|Papua Nova Guiné|Papua Nuova Guinea|"
    "Papua-Neuguinea|Papúa Nueva Guinea|Paquistão|Paraguai|Paraguay|Pays-Bas|"
    "Países Baixos|Países Bajos|People's Republic of China|Peoples Republic of China|"
    "Peru|Perù|Perú|Philippinen|Philippines|Pitcairn|Pitcairneilanden|Poland|Polen|"
    "Polinesia Francesa|Polinesia francese|Polinésia Francesa|Pologne|Polonia|Polska|"
    "Polynésie française|Polónia|Porto Rico|Portogallo|Portorico|Portugal|Puerto Rico|"
    "Pérou|Qatar|Quirguistão|Quénia|R.D.Congo|RD Congo|Regno Unito|Reino Unido|"
    "Repubblica Centrafricana|Repubblica Dominicana|Repubblica democratica del Congo|"
    "República Centro-Africana|República Centroafricana|"
    "República Democrática Popular de Lao|República Democrática Popular do Laos|"
    "República Dominicana|República Árabe Síria|República árabe de Siria|Reunión|"
    "Riunione|Roemenië|Romania|Roménia|Roumanie|Royaume-Uni|Ruanda|Rumanía|Rumänien|"
    "Rusland|Russia|Russian Federation|Russie|Russische Föderation|Rwanda|"
    "République centrafricaine|République dominicaine|République du Congo|"
    "République démocratique du Congo|République tchèque|Réunion|S. Tomé e Príncipe|"
    "Saara Ocidental|Sahara Occidental|Sahara occidental|Sahara occidentale|"
    "Saint Barthélemy|Saint Kitts and Nevis|Saint Kitts e Nevis|Saint Kitts en Nevis|"
    "Saint Lucia|Saint Pierre and Miquelon|Saint Pierre e Miquelon|"
    "Saint Vincent and the Grenadines|Saint Vincent e Grenadine|"
    "Saint Vincent en de Grenadines|Saint-Barthélemy|Saint-Christophe-et-Niévès|"
    "Saint-Marin|Saint-Pierre e Miquelon|Saint-Pierre en Miquelon|"
    "Saint-Pierre-et-Miquelon|Saint-Vincent-et-les-Grenadines|Sainte-Lucie|Salomoninseln|"
    "Salomonseilanden|Salvador|Sambia|Samoa|Samoa Americana|Samoa Estadounidense|"
    "Samoa americane|Samoa américaines|San Bartolomé|San Cristóbal y Nieves|San Marino|"
    "San Pedro y Miquelon|San Vicente y las Granadinas|Santa Lucía|Santa Lúcia|"
    "Santo Tomé y Príncipe|Sao Tome and Principe|Sao Tomé en Principe|"
    "Sao Tomé-et-Principe|Saoedi-Arabië|Saudi Arabia|Saudi-Arabien|Schweden|Schweiz|"
    "Scotland|Senegal|Serbia|Serbie|Serbien|Serra Leoa|Servië|Seychellen|Seychelles|"
    "Sierra Leona|Sierra Leone|Simbabwe|Singapore|Singapour|Singapur|Singapura|Siria|"
    "Slovacchia|Slovakia|Slovaquie|Slovenia|Slovenija|Slovenië|Slovénie|Slowakei|"
    "Slowakije|Slowenien|Soedan|Solomon Islands|Somalia|Somalie|Somalië|Somália|Soudan|"
    "Soudan du Sud|South Africa|South Korea|South Sudan|Spagna|Spain|Spanien|Spanje|"
    "Spitsbergen en Jan Mayen|Srbija|Sri Lanka|St. Kitts und Nevis|St. Lucia|"
    "St. Pierre und Miquelon|St. Vincent und die Grenadinen|Stati Uniti|Suazilândia|"
    "Sudafrica|Sudan|Sudan del sud|Sudáfrica|Sudán|Sudán del Sur|Sudão|Sudão do Sul|"
    "Suecia|Suisse|Suiza|Surinam|Suriname|Surinám|Suède|Suécia|Suíça|"
    "Svalbard and Jan Mayen|Svalbard e Jan Mayen|Svalbard et île Jan Mayen|"
    "Svalbard und Jan Mayen|Svalbard y Jan Mayen|Svezia|Svizzera|Sweden|Switzerland|"
    "Syria|Syrian Arab Republic|Syrie|Syrien|Syrië|São Cristóvão e Nevis|"
    "São Tomé e Príncipe|São Tomé und Príncipe|São Vicente e Granadinas|Sénégal|Sérvia|"
    "Síria|Südafrika|Südkorea|Südsudan|Tadjikistan|Tadschikistan|Tadzjikistan|Tagikistan|"
    "Tailandia|Tailândia|Taiwan|Taiwán|Tajikistan|Tajiquistão|Tansania|Tanzania|Tanzanie|"
    "Tanzânia|Tayikistán|Taïwan|Tchad|Tchéquie|Terres australes françaises|"
    "Territori francesi meridionali|Territorio Británico del Océano Índico|"
    "Territorios Franceses del Sur|Território Britânico do Oceano Índico|"
    "Territórios Franceses do Sul|Thailand|Thailandia|Thaïlande|The Netherlands|"
    "Timor Est|Timor Oriental|Timor oriental|Timor-Leste|Togo|Tokelau|Tonga|"
    "Trindade e Tobago|Trinidad and Tobago|Trinidad e Tobago|Trinidad en Tobago|"
    "Trinidad und Tobago|Trinidad y Tobago|Trinité-et-Tobago|Tschad|Tschechien|Tsjaad|"
    "Tsjechië|Tunesia|Tunesien|Tunesië|Tunez|Tunisia|Tunisie|Tunísia|Turchia|Turkey|"
    "Turkije|Turkmenistan|Turkmenistán|Turkménistan|Turks and Caicos Islands|"
    "Turks- en Caicoseilanden|Turks- und Caicosinseln|Turquemenistão|Turquia|Turquie|"
    "Turquía|Tuvalu|Türkei|Türkiye|U.K.|U.S.A.|UK|US|USA|Ucraina|Ucrania|Ucrânia|Uganda|"
    "Ukraine|Ungarn|Ungheria|United Arab Emirates|United Kingdom|United States|"
    "United States Minor Outlying Islands|United States of America|United-States|Uruguai|"
    "Uruguay|Usbekistan|Uzbekistan|Uzbekistán|Uzbequistão|Vanuatu|Vatican|Venezuela|"
    "Vereinigte Arabische Emirate|Vereinigte Staaten|Vereinigtes Königreich|"
    "Verenigd Koninkrijk|Verenigde Arabische Emiraten|Verenigde Staten|Viet Nam|Vietnam|"
    "Vietname|Viêt Nam|Vénézuela|Wales|Wallis and Futuna|Wallis e Futuna|"
    "Wallis en Futuna|Wallis et Futuna|Wallis und Futuna|Wallis y Futuna|"
    "Weihnachtsinseln|Westelijke Sahara|Western Sahara|Westsahara|Wit-Rusland|Yemen|"
    "Yibuti|Yémen|Zambia|Zambie|Zentralafrikanische Republik|Zimbabue|Zimbabwe|Zimbábue|"
    "Zuid-Afrika|Zuid-Korea|Zuid-Soedan|Zweden|Zwitserland|Zypern|Zâmbia|África do Sul|"
    "Áustria|Ägypten|Äquatorialguinea|Äthiopien|Åland Islands|Åland-Inseln|"
    "Ålandseilanden|Égypte|Émirats arabes unis|Équateur|Érythrée|États-Unis|Éthiopie|"
    "Índia|Île Bouvet|Île Norfolk|Île de Man|Îles Caïmans|Îles Cook|Îles Féroé|"
    "Îles Heard-et-MacDonald|Îles Mariannes du Nord|Îles Marshall|Îles Pitcairn|"
    "Îles Turques-et-Caïques|Îles Vierges britanniques|"
    "Îles mineures éloignées des États-Unis|Österreich|Ελλάδα|Россия|Україна"
)
# fmt: on

COUNTRY_NAMES: frozenset[str] = frozenset(fold(name) for name in _names(_COUNTRIES))

#: Sub-national units written alone in brackets after a twin ("Halle(Saxony-Anhalt)"):
#: a region, not a country. Georgia is left out on purpose: it is also a country.
REGION_NAMES: frozenset[str] = frozenset(
    fold(name)
    for name in _names(
        # German Länder (English, German and French names)
        "Baden-Württemberg|Bavaria|Bayern|Bavière|Brandenburg|Hesse|Hessen|"
        "Lower Saxony|Niedersachsen|Basse-Saxe|Mecklenburg-Vorpommern|"
        "Mecklenburg-Western Pomerania|North Rhine-Westphalia|Nordrhein-Westfalen|"
        "Rhénanie-du-Nord-Westphalie|Rhineland-Palatinate|Rheinland-Pfalz|Saarland|Sarre|"
        "Saxony|Sachsen|Saxe|Saxony-Anhalt|Sachsen-Anhalt|Saxe-Anhalt|Schleswig-Holstein|"
        "Thuringia|Thüringen|Thuringe|"
        # United Kingdom nations
        "England|Scotland|Wales|Northern Ireland|Angleterre|Écosse|Pays de Galles|"
        # United States (without Georgia)
        "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|"
        "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
        "Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
        "New Hampshire|New Jersey|New Mexico|New York State|North Carolina|North Dakota|Ohio|"
        "Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|"
        "Texas|Utah|Vermont|Virginia|Washington State|West Virginia|Wisconsin|Wyoming|"
        # Canada
        "Quebec|Québec|Ontario|British Columbia|Alberta|Manitoba|Nova Scotia|New Brunswick|"
        "Saskatchewan|"
        # Spain, Italy, Belgium, France (the ones pages name)
        "Catalonia|Catalunya|Catalogne|Andalusia|Andalucía|Basque Country|Pays basque|"
        "Galicia|Valencia|Canary Islands|Îles Canaries|Balearic Islands|Madrid Region|"
        "Lombardy|Lombardia|Piedmont|Piemonte|Tuscany|Toscana|Sicily|Sicilia|Sardinia|"
        "Sardegna|Emilia-Romagna|Veneto|Lazio|Campania|Apulia|Puglia|Liguria|"
        "Wallonia|Wallonie|Flanders|Flandre|Vlaanderen|Brussels-Capital|"
        "Île-de-France|Ile-de-France|Alsace|Brittany|Bretagne|Normandy|Normandie|Provence|"
        "Occitanie|Corsica|Corse"
    )
)

#: First words that make a place a region, not a city ("Generalitat de Catalunya",
#: "Autonomous region of Príncipe").
REGION_WORDS: tuple[str, ...] = (
    "generalitat",
    "region",
    "région",
    "regione",
    "región",
    "regio",
    "province",
    "provincia",
    "provincie",
    "comunidad",
    "comunitat",
    "county",
    "département",
    "departement",
    "land",
    "canton",
    "oblast",
    "voivodeship",
    "autonomous region",
    "autonomous community",
    "district",
    "metropolitan area",
    "métropole",
)
