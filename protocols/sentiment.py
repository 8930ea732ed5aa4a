"""A small lexicon sentiment score for Spanish and English social-media text.

Not a language model: a transparent word list the team can read, good enough
to tell "¡Gracias, genial!" from "Vergüenza, nunca más" and to feed a rule's
"sentiment at most" condition. Negations flip the next scored word; runs of
exclamation marks and capitals strengthen the tone. Scores lie in [-1, 1].
"""

from __future__ import annotations

import re

from protocols.matching import fold

_POSITIVE = """
gracias genial perfecto excelente encanta encantado encantada maravilla maravilloso buenisimo buenisima
bueno buena rico rica deliciosa delicioso recomendable recomiendo felicidades enhorabuena amable
rapido rapida fantastico estupendo guapo top mejor feliz contento contenta ideal increible
thanks thank great perfect excellent love loved amazing awesome good nice delicious recommend happy best
"""

_NEGATIVE = """
mal malo mala fatal pesimo pesima horrible asco asqueroso verguenza vergonzoso estafa estafadores timo
queja quejas reclamacion denuncia denunciar peor lamentable inadmisible indignante indignado indignada
sucio sucia frio fria seco seca caro cara tarde espera esperando roto rota enfermo intoxicacion
accidente herido mentira mentiras ridiculo decepcion decepcionado decepcionada desastre cabreado harto harta
bad awful terrible worst disgusting scam refund broken late rude dirty cold sick angry disappointed
"""

_NEGATIONS = {"no", "nunca", "jamas", "ni", "not", "never", "sin"}
_WORD = re.compile(r"\w+")

_LEXICON = {fold(w): 1.0 for w in _POSITIVE.split()} | {fold(w): -1.0 for w in _NEGATIVE.split()}


def sentiment_score(text: str) -> float:
    words = _WORD.findall(fold(text))
    total, hits, flip = 0.0, 0, False
    for word in words:
        if word in _NEGATIONS:
            flip = True
            continue
        value = _LEXICON.get(word)
        if value is not None:
            total += -value if flip else value
            hits += 1
        flip = False
    if not hits:
        return 0.0
    score = total / hits
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    if "!!" in text or shouting:
        score *= 1.25
    return max(-1.0, min(1.0, round(score, 3)))
