"""The articles the simplified procedure's registered letter reproduces (CPCE R125-2).

R125-2 requires the letter to reproduce articles L111-2 and L111-3 of the code des procédures
civiles d'exécution and articles 1343-5 and 2238 of the code civil. Each text below is the version
in force as read for this session (2026-12-02), paragraph by paragraph, with where it was read.
Légifrance itself could not be reached from here: the texts were read on pages that reproduce
Légifrance (DILA, licence ouverte) and cross-checked between them. **Before production, check each
one against Légifrance** (the identifiers are given): a code changes, and a letter that reproduces a
superseded text is open to challenge.

- L111-2 CPCE (Légifrance, code LEGITEXT000025024948, "Article L111-2"), in force since
  1 June 2012 (ordonnance n° 2011-1895, unchanged since). Read on solent-avocats.com
  ("Titre exécutoire : la clé du recouvrement forcé") and lagbd.org ("Le titre exécutoire (fr)"),
  identical.
- L111-3 CPCE (LEGIARTI000025025646 and its later versions), version in force since 1 June 2023
  (2° bis, the unified patent court's decisions). Read on doctrine.fr's page of the article
  ("Chronologie des versions", version 01/06/2023) up to "7° Les transactions et les actes
  constatant un accord issu d'une médiation," (the page excerpt stops there); the end of 7° is the
  text of loi n° 2021-1729 du 22 décembre 2021, art. 44, as quoted by lettredesmediations.fr
  (2022-03-02), whose "est revêtus" is a typing slip for "et revêtus". One secondary source cites a
  version "en vigueur depuis le 25/04/2026 (loi n° 2026-307, art. 2)" without its text: not
  verified here, to check first.
- 1343-5 code civil (LEGIARTI000032035267), in force since 1 October 2016 (ordonnance n° 2016-131,
  art. 3, unchanged since). Read on doctrine.fr's page of the article; cld-avocat.fr quotes it
  identically.
- 2238 code civil, version of ordonnance n° 2016-131 du 10 février 2016, art. 5 (in force since
  1 October 2016: the reference to "l'article L. 125-1 du code des procédures civiles
  d'exécution"). First paragraph and the start of the second read on maxenceperrinavocatdijon.fr
  (the quotation stops at "pour une durée qui ne"); the rest is the sentence added by loi
  n° 2015-990 du 6 août 2015, art. 208 (Légifrance's page of that article), renumbered by the
  ordonnance ("prévue au même article").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    number: str  # "L111-2"
    code: str  # "code des procédures civiles d'exécution"
    paragraphs: tuple[str, ...]
    version: str  # which version, for the footnote

    @property
    def title(self) -> str:
        return f"Article {self.number} du {self.code}"


CPCE = "code des procédures civiles d'exécution"
CODE_CIVIL = "code civil"

L111_2 = Article(
    "L111-2",
    CPCE,
    (
        "Le créancier muni d'un titre exécutoire constatant une créance liquide et exigible peut en poursuivre "
        "l'exécution forcée sur les biens de son débiteur dans les conditions propres à chaque mesure d'exécution.",
    ),
    "version en vigueur depuis le 1er juin 2012",
)

L111_3 = Article(
    "L111-3",
    CPCE,
    (
        "Seuls constituent des titres exécutoires :",
        "1° Les décisions des juridictions de l'ordre judiciaire ou de l'ordre administratif lorsqu'elles ont force "
        "exécutoire, ainsi que les accords auxquels ces juridictions ont conféré force exécutoire ;",
        "2° Les actes et les jugements étrangers ainsi que les sentences arbitrales déclarés exécutoires par une "
        "décision non susceptible d'un recours suspensif d'exécution, sans préjudice des dispositions du droit de "
        "l'Union européenne applicables ;",
        "2° bis Les décisions rendues par la juridiction unifiée du brevet ;",
        "3° Les extraits de procès-verbaux de conciliation signés par le juge et les parties ;",
        "4° Les actes notariés revêtus de la formule exécutoire ;",
        "4° bis Les accords par lesquels les époux consentent mutuellement à leur divorce ou à leur séparation de "
        "corps par acte sous signature privée contresigné par avocats, déposés au rang des minutes d'un notaire "
        "selon les modalités prévues à l'article 229-1 du code civil ;",
        "5° Le titre délivré par l'huissier de justice en cas de non-paiement d'un chèque ou en cas d'accord entre "
        "le créancier et le débiteur dans les conditions prévues à l'article L. 125-1 ;",
        "6° Les titres délivrés par les personnes morales de droit public qualifiés comme tels par la loi, ou les "
        "décisions auxquelles la loi attache les effets d'un jugement ;",
        "7° Les transactions et les actes constatant un accord issu d'une médiation, d'une conciliation ou d'une "
        "procédure participative, lorsqu'ils sont contresignés par les avocats de chacune des parties et revêtus "
        "de la formule exécutoire par le greffe de la juridiction compétente.",
    ),
    "version en vigueur depuis le 1er juin 2023",
)

C1343_5 = Article(
    "1343-5",
    CODE_CIVIL,
    (
        "Le juge peut, compte tenu de la situation du débiteur et en considération des besoins du créancier, "
        "reporter ou échelonner, dans la limite de deux années, le paiement des sommes dues.",
        "Par décision spéciale et motivée, il peut ordonner que les sommes correspondant aux échéances reportées "
        "porteront intérêt à un taux réduit au moins égal au taux légal, ou que les paiements s'imputeront "
        "d'abord sur le capital.",
        "Il peut subordonner ces mesures à l'accomplissement par le débiteur d'actes propres à faciliter ou à "
        "garantir le paiement de la dette.",
        "La décision du juge suspend les procédures d'exécution qui auraient été engagées par le créancier. Les "
        "majorations d'intérêts ou les pénalités prévues en cas de retard ne sont pas encourues pendant le délai "
        "fixé par le juge.",
        "Toute stipulation contraire est réputée non écrite.",
        "Les dispositions du présent article ne sont pas applicables aux dettes d'aliment.",
    ),
    "version en vigueur depuis le 1er octobre 2016",
)

C2238 = Article(
    "2238",
    CODE_CIVIL,
    (
        "La prescription est suspendue à compter du jour où, après la survenance d'un litige, les parties "
        "conviennent de recourir à la médiation ou à la conciliation ou, à défaut d'accord écrit, à compter du "
        "jour de la première réunion de médiation ou de conciliation. La prescription est également suspendue à "
        "compter de la conclusion d'une convention de procédure participative ou à compter de l'accord du "
        "débiteur constaté par l'huissier de justice pour participer à la procédure prévue à l'article L. 125-1 "
        "du code des procédures civiles d'exécution.",
        "Le délai de prescription recommence à courir, pour une durée qui ne peut être inférieure à six mois, à "
        "compter de la date à laquelle soit l'une des parties ou les deux, soit le médiateur ou le conciliateur "
        "déclarent que la médiation ou la conciliation est terminée. En cas de convention de procédure "
        "participative, le délai de prescription recommence à courir à compter du terme de la convention, pour "
        "une durée qui ne peut être inférieure à six mois. En cas d'échec de la procédure prévue au même article, "
        "le délai de prescription recommence à courir à compter de la date du refus du débiteur, constaté par "
        "l'huissier, pour une durée qui ne peut être inférieure à six mois.",
    ),
    "version en vigueur depuis le 1er octobre 2016",
)

# In the order R125-2 names them.
REGISTERED_LETTER_ARTICLES: tuple[Article, ...] = (L111_2, L111_3, C1343_5, C2238)

__all__ = ["C1343_5", "C2238", "CODE_CIVIL", "CPCE", "L111_2", "L111_3", "REGISTERED_LETTER_ARTICLES", "Article"]
