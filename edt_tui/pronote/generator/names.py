"""French people's names as PRONOTE writes them, including the awkward ones.

Last names are upper case (PRONOTE's convention) and include spaces (`LE GALL`), apostrophes
(`N'DIAYE`), hyphens (`MARTIN-DUPONT`) and accents; first names keep their accents and hyphens
(`Marie-Hélène`, `Maëlys`). Every matching rule in the product (norm, identity, fuzzy
suggestions) is exercised by these.
"""

from __future__ import annotations

import random
import unicodedata

LAST_NAMES: tuple[str, ...] = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
    "MULLER", "LEFÈVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT",
    "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER", "MASSON", "MARCHAND",
    "DUVAL", "DENIS", "DUMONT", "MARIE", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER",
    "BRUN", "BLANCHARD", "GIRAUD", "JOLY", "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER",
    "ARNAUD", "MARTINEZ", "GÉRARD", "ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN",
    "VIDAL", "CARON", "PICARD", "ROGER", "FABRE", "AUBERT", "LEMOINE", "RENAUD", "DUMAS",
    "LACROIX", "OLIVIER", "PHILIPPE", "BOURGEOIS", "PIERRE", "BENOÎT", "REY", "LECLERC",
    "PAYET", "ROLLAND", "LECLERCQ", "GUILLAUME", "LECOMTE", "LOPEZ", "JEAN", "DUPUY",
    "GUILLOT", "HUBERT", "BERGER", "CARPENTIER", "SANCHEZ", "DUPUIS", "MOULIN", "LOUIS",
    "DESCHAMPS", "HUET", "VASSEUR", "PEREZ", "BOUCHER", "FLEURY", "ROYER", "KLEIN", "JACQUET",
    "ADAM", "PARIS", "POIRIER", "MARTY", "AUBRY", "GUYOT", "CARRÉ", "CHARLES", "RENAULT",
    "CHARPENTIER", "MÉNARD", "MAILLARD", "BARON", "BERTIN", "BAILLY", "HERVÉ", "SCHNEIDER",
    "FERNANDEZ", "LE GALL", "LE ROUX", "LE GOFF", "LE BRIS", "N'DIAYE", "N'GUESSAN",
    "D'ALMEIDA", "DE LA FONTAINE", "MARTIN-DUPONT", "LEBRUN-GIRAUD", "BEN AMAR", "DIALLO",
    "TRAORÉ", "NGUYEN", "HADDAD", "BENALI", "OUEDRAOGO", "DA SILVA", "DOS SANTOS", "ALVAREZ",
    "BACHELET", "BROWN", "DEJEAN", "ALLARD", "ALVES", "AMIOT", "ANTOINE", "ARMAND", "BROSSARD",
    "PAVAGEAU", "BRIAND", "CHUPIN", "MÉTAYER", "GODARD", "TESSIER", "BOUVIER", "POUPARD",
)

FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Marie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Jade", "Louise", "Zoé",
    "Lola", "Clara", "Lucie", "Sarah", "Anaïs", "Maëlys", "Océane", "Noémie", "Élise",
    "Romane", "Margaux", "Juliette", "Héloïse", "Anna", "Lina", "Nina", "Eva", "Ambre",
    "Marie-Hélène", "Anne-Sophie", "Marie-Ange", "Sabrina", "Julie", "Nathalie", "Sandrine",
    "Isabelle", "Céline", "Stéphanie", "Faustine", "Émilie", "Cécile", "Clémentine", "Élodie",
    "Aurélie", "Véronique", "Françoise", "Hélène", "Agnès", "Gaëlle", "Maïwenn", "Aïcha",
    "Fatoumata", "Yasmine", "Rose", "Capucine", "Bérénice", "Solène", "Axelle", "Maëva",
)

MALE_FIRST_NAMES: tuple[str, ...] = (
    "Lucas", "Hugo", "Louis", "Nathan", "Gabriel", "Jules", "Arthur", "Adam", "Raphaël",
    "Léo", "Théo", "Noah", "Ethan", "Mathis", "Tom", "Enzo", "Maël", "Timéo", "Noé", "Sacha",
    "Clément", "Baptiste", "Maxime", "Alexandre", "Antoine", "Quentin", "Valentin", "Benjamin",
    "Jean-Pierre", "Jean-Baptiste", "Pierre-Louis", "Karim", "Yannick", "Jordan", "Mathieu",
    "Tony", "Abdejalil", "Stéphane", "Frédéric", "Sébastien", "Jérôme", "Loïc", "Gaël",
    "Hervé", "François", "Grégoire", "Benoît", "Mickaël", "Anthony", "Mamadou", "Moussa",
    "Youssef", "Ilyès", "Aurélien", "Côme", "Évan", "Joël", "Killian", "Erwan", "Titouan",
)

TEACHER_FIRST_NAME_LENGTH = 10
"""PRONOTE truncates teachers' first names to about ten characters (format doc §3)."""


def pick_person(rng: random.Random, *, female: bool | None = None) -> tuple[str, str, bool]:
    """(last name, first name, female) drawn from the lists."""
    is_female = rng.random() < 0.5 if female is None else female
    first = rng.choice(FEMALE_FIRST_NAMES if is_female else MALE_FIRST_NAMES)
    return rng.choice(LAST_NAMES), first, is_female


def ascii_login(*parts: str) -> str:
    """A CAS-style login: lower-case ASCII letters only, dot-separated (an XML NMTOKEN)."""
    cleaned = []
    for part in parts:
        decomposed = unicodedata.normalize("NFKD", part)
        letters = "".join(ch for ch in decomposed.lower() if ch.isascii() and ch.isalpha())
        cleaned.append(letters)
    return ".".join(cleaned)
