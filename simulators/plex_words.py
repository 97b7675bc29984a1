"""The words generated items are made of, and the pure functions that pick them from a digest."""

import hashlib
import re
import unicodedata

ADJECTIVES = (
    "Silent Broken Golden Last Hidden Crimson Endless Little Wild Secret Frozen Distant Electric "
    "Forgotten Burning Quiet Lonely Savage Midnight Brave Velvet Hollow Iron Paper Glass Northern "
    "Bitter Gentle Restless Lucky"
).split()
NOUNS = (
    "River Empire Garden Station Kingdom Summer Harbor Road Mirror Storm Letter Island Machine "
    "Shadow Winter Dream Promise Horizon Orchard Signal Lighthouse Circus Frontier Voyage Secret "
    "Witness Heart Stranger Valley Bridge Detective Ocean Forest Theory Crown Engine"
).split()
PLACES = (
    "Paris|Tokyo|the North|Brooklyn|Mars|Lisbon|the Desert|Kraków|São Paulo|Reykjavík|the Moon|"
    "Marseille|Zürich|the Sea|Saint-Étienne|Córdoba"
).split("|")
NAMES = (
    "Amélie|Léon|Zoë|Renée|Chloé|Mañana|Señor Blue|Inès|Björn|Noémie|José|Søren|Hélène|Françoise|"
    "Götz|Anaïs"
).split("|")
ORIGINALS = (
    "Le Fabuleux Destin|Das Leben der Anderen|La Vita è Bella|El Laberinto|千と千尋|"
    "Les Intouchables|"
    "Der Himmel über Berlin|La Haine|Y Tu Mamá También|Ladri di Biciclette|Cidade de Deus|"
    "Låt den rätte komma in|Amores Perros|Det Sjunde Inseglet|Sin Nombre|La Jetée"
).split("|")
FIRST_NAMES = (
    "Anna|José|Zoë|Marcus|Ingrid|Kenji|Amara|Luca|Sofía|Omar|Hélène|Dmitri|Priya|Tomás|Freya|"
    "Malik|Chloé|Björn|Yuki|Nadia|Søren|Isabel|Kwame|Léa"
).split("|")
LAST_NAMES = (
    "Novak|García|Okafor|Lindqvist|Tanaka|Moreau|Rossi|Müller|Kowalski|Haddad|O'Brien|Nguyen|"
    "Fernández|Dubois|Sato|Andersen|Silva|Brennan|Petrov|Achebe|Núñez|Kim|Fischer|Larsen"
).split("|")
GENRES = (
    "Action|Adventure|Animation|Comedy|Crime|Documentary|Drama|Family|Fantasy|History|Horror|"
    "Music|Mystery|Romance|Science Fiction|Thriller|War|Western"
).split("|")
MUSIC_GENRES = "Rock|Pop|Jazz|Electronic|Folk|Hip-Hop|Classical|Indie|Soul|Metal".split("|")
STUDIOS = (
    "Northlight Pictures|Harbor Films|Studio Céleste|Red Lantern|Blue Fjord Media|Paper Moon|"
    "Ironwood Entertainment|Kōbō Animation|Sunset Avenue|Atlas & Finch"
).split("|")
NETWORKS = "Channel 9|Northlight TV|Streamline|Canal Étoile|BBC Two|Orbit".split("|")
COUNTRIES = (
    "United States of America|United Kingdom|France|Germany|Japan|Spain|Italy|Brazil|Sweden|"
    "South Korea|Canada|Mexico"
).split("|")
MOVIE_RATINGS = ("G", "PG", "PG-13", "R", "NR", "PG-13", "R")
SHOW_RATINGS = ("TV-Y", "TV-G", "TV-PG", "TV-14", "TV-MA", "TV-14")
SUBJECTS = (
    "A retired detective|An estranged sister|A young cartographer|An exiled prince|"
    "A small-town baker|A brilliant but reckless pilot|The crew of a cargo ship|A grieving widower|"
    "A teenage inventor|An aging jazz musician|A stubborn lighthouse keeper|A band of old friends"
).split("|")
ACTIONS = (
    "returns home to|sets out across|stumbles upon a secret in|tries to save|is drawn back into|"
    "must outwit a rival in|falls for a stranger in|uncovers a conspiracy in|"
    "races against time to reach"
).split("|")
TWISTS = (
    "Nothing is quite what it seems.|Old debts come due.|The past refuses to stay buried.|"
    "Every choice has a price.|Friendship is tested to the limit.|A storm is coming.|"
    "Some doors should stay closed."
).split("|")
TAGLINES = (
    "Some journeys never end.|Everyone has a secret.|The truth is out there somewhere.|"
    "One night changes everything.|Home is where the heart breaks.|Run.|"
    "Based on a true story. Mostly.|The adventure of a lifetime."
).split("|")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _plural(noun: str) -> str:
    if noun.endswith("s"):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def digest(number: int, index: int, salt: int = 0) -> bytes:
    return hashlib.blake2b(b"%d:%d:%d" % (number, index, salt), digest_size=32).digest()


def pick(options, byte: int):
    return options[byte % len(options)]


def person(b0: int, b1: int) -> str:
    return f"{pick(FIRST_NAMES, b0)} {pick(LAST_NAMES, b1)}"


def make_title(kind: str, b: bytes) -> tuple[str, str | None]:
    """Return a varied title (and sometimes an original title) for a top-level item."""
    adj, noun, noun2 = pick(ADJECTIVES, b[1]), pick(NOUNS, b[2]), pick(NOUNS, b[3])
    if kind == "artist":
        pattern = b[0] % 6
        if pattern == 0:
            title = f"The {adj} {_plural(noun)}"
        elif pattern == 1:
            title = person(b[1], b[2])
        elif pattern == 2:
            title = f"{pick(NAMES, b[3])} & the {_plural(noun)}"
        elif pattern == 3:
            title = f"{adj} {noun}"
        elif pattern == 4:
            title = f"{noun} {noun2}"
        else:
            title = f"Les {_plural(noun)} de {pick(PLACES, b[4])}"
        return title, None
    pattern = b[0] % 9
    if pattern == 0:
        title = f"The {adj} {noun}"
    elif pattern == 1:
        title = f"{noun} of {pick(PLACES, b[4])}"
    elif pattern == 2:
        title = f"{adj} {noun}"
    elif pattern == 3:
        title = f"A {noun} in {pick(PLACES, b[4])}"
    elif pattern == 4:
        title = pick(NAMES, b[4])
    elif pattern == 5:
        title = f"{2 + b[4] % 98} {_plural(noun)}"
    elif pattern == 6:
        title = f"The Last {noun}"
    elif pattern == 7:
        title = f"{pick(NAMES, b[4])} and the {noun}"
    else:
        title = f"An {adj} {noun2}" if adj[0] in "AEIOU" else f"{noun} & {noun2}"
    if b[5] % 12 == 0:
        title += " 2"
    elif b[5] % 12 == 1:
        title += ": Part II"
    original = pick(ORIGINALS, b[6]) if b[7] % 8 == 0 else None
    return title, original


def slug(title: str) -> str:
    """Return Plex's slug of a title: ASCII, lower case, words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")


def title_sort(title: str) -> str:
    """Return Plex's sort title: the title without a leading English article."""
    for article in ("The ", "A ", "An "):
        if title.startswith(article):
            return title[len(article) :]
    return title
