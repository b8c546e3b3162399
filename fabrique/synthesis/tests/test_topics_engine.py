"""The topic engine on small French texts written for the test: three obvious themes."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, homogeneity_score

from fabrique.synthesis.topics import (
    NO_CONTENT,
    SimilarityIndex,
    TopicInputError,
    duplicate_groups,
    keywords_for,
    looks_french,
    similar_texts,
    topic_split,
    topics_compute,
)
from fabrique.synthesis.topics.french import content_keys, words


def _theme(openings: list[str], subjects: list[str], endings: list[str]) -> list[str]:
    """20 different sentences on one theme: every opening, subject and ending mixed."""
    combinations = itertools.product(openings, subjects, endings)
    return [f"{a} {b} {c}" for a, b, c in itertools.islice(combinations, 0, None, 3)][:20]


BIKE = _theme(
    ["Il faudrait", "Je propose de", "La ville doit", "Merci de"],
    [
        "créer des pistes cyclables sécurisées",
        "développer les pistes cyclables et les arceaux à vélo",
        "séparer les vélos des voitures sur des pistes cyclables",
        "relier les villages par une piste cyclable",
        "aider à l'achat de vélos électriques",
        "faire plus de place aux cyclistes et aux vélos",
    ],
    ["pour aller au travail.", "le long des grandes avenues.", "près des écoles.", "partout."],
)
TREES = _theme(
    ["Il faudrait", "Je propose de", "La commune doit", "Pensez à"],
    [
        "planter des arbres pour avoir de l'ombre",
        "lutter contre les îlots de chaleur avec des arbres",
        "végétaliser les cours d'école et planter des arbres",
        "créer des îlots de fraîcheur avec de l'ombre",
        "remplacer le béton par des arbres et de la verdure",
        "planter des haies et des arbres fruitiers",
    ],
    ["sur les places.", "en été.", "dans les quartiers.", "contre la canicule."],
)
BUSES = _theme(
    ["Il faudrait", "Je souhaite", "L'agglomération doit", "Merci de"],
    [
        "augmenter la fréquence des bus",
        "développer les bus et les transports en commun le soir",
        "rendre le bus gratuit pour les jeunes",
        "ajouter des lignes de bus vers la gare",
        "des transports en commun et des bus moins chers",
        "un bus toutes les dix minutes en heure de pointe",
    ],
    ["pour les habitants.", "le dimanche.", "vers les zones d'activité.", "en semaine."],
)
TEXTS = BIKE + TREES + BUSES
THEMES = [0] * len(BIKE) + [1] * len(TREES) + [2] * len(BUSES)


@pytest.fixture(scope="module")
def result():
    return topics_compute(TEXTS, n_topics=3, seed=0)


def test_the_three_themes_are_recovered(result):
    assert len(BIKE) == len(TREES) == len(BUSES) == 20
    assert result.k == 3
    assert adjusted_rand_score(THEMES, result.labels) > 0.9
    assert sorted(topic.size for topic in result.topics) == [20, 20, 20]


def test_the_number_of_topics_is_found_without_being_told():
    automatic = topics_compute(TEXTS, seed=0)
    # It may split a theme in two (the texts were written on a few patterns), never mix two.
    assert 3 <= automatic.k <= 5
    assert homogeneity_score(THEMES, automatic.labels) > 0.95
    assert automatic.method["k_requested"] is None
    assert "n'a pas été fixé par l'équipe" in automatic.method["description"]


def _topic_of(result, texts_of_theme):
    return result.topics[int(result.labels[TEXTS.index(texts_of_theme[0])])]


def _words(keywords):
    return {word for keyword in keywords for word in keyword.split()}


def test_keywords_are_words_people_wrote_not_stems(result):
    bike = _topic_of(result, BIKE)
    assert "pistes cyclables" in bike.keywords
    assert "arbres" in _words(_topic_of(result, TREES).keywords)
    assert "bus" in _words(_topic_of(result, BUSES).keywords)
    corpus = " ".join(TEXTS).lower()
    written = set(words(corpus))
    stems = {key for text in TEXTS for key in content_keys(text)}
    for topic in result.topics:
        assert topic.keywords
        for keyword in topic.keywords:
            assert keyword in corpus
            assert set(words(keyword)) <= written
    assert "cyclabl" in stems
    assert not any(keyword == "cyclabl" for topic in result.topics for keyword in topic.keywords)


def test_a_pair_replaces_the_single_words_it_contains(result):
    keywords = _topic_of(result, BIKE).keywords
    assert "pistes cyclables" in keywords
    assert "cyclables" not in keywords
    assert "pistes" not in keywords


def test_representatives_belong_to_their_topic_and_differ(result):
    for topic in result.topics:
        assert 1 <= len(topic.representatives) <= 5
        assert all(result.labels[i] == topic.index for i in topic.representatives)
        assert len({TEXTS[i] for i in topic.representatives}) == len(topic.representatives)


def test_the_same_seed_gives_the_same_topics(result):
    again = topics_compute(TEXTS, n_topics=3, seed=0)
    assert np.array_equal(again.labels, result.labels)
    assert again.topics == result.topics
    assert again.method == result.method


def test_topics_are_numbered_by_decreasing_size():
    texts = BIKE + TREES[:8] + BUSES[:14]
    result = topics_compute(texts, n_topics=3, seed=3)
    sizes = list(np.bincount(result.labels))
    assert sizes == sorted(sizes, reverse=True)
    assert [topic.size for topic in result.topics] == sizes
    assert [topic.index for topic in result.topics] == [0, 1, 2]


def test_texts_without_meaningful_words_are_set_apart():
    empty = ["", "   ", "!!!", "Il y a de la, et le.", "oui", "42"]
    texts = TEXTS + empty
    result = topics_compute(texts, n_topics=3, seed=0)
    assert list(result.labels[len(TEXTS) :]) == [NO_CONTENT] * len(empty)
    assert list(result.without_content) == list(range(len(TEXTS), len(texts)))
    assert sum(topic.size for topic in result.topics) == len(TEXTS)
    assert result.method["texts_without_content"] == len(empty)


def test_only_empty_texts_give_no_topic():
    result = topics_compute(["", "et le la", "…"], seed=0)
    assert result.k == 0
    assert result.topics == ()
    assert list(result.labels) == [NO_CONTENT] * 3


def test_an_empty_list_is_refused_in_french():
    with pytest.raises(TopicInputError, match="Aucune contribution"):
        topics_compute([])
    with pytest.raises(TopicInputError, match="au moins 1"):
        topics_compute(TEXTS, n_topics=0)


def test_one_text_or_fewer_texts_than_topics():
    single = topics_compute(["Des pistes cyclables partout"], seed=0)
    assert single.k == 1
    assert list(single.labels) == [0]
    assert single.topics[0].representatives == (0,)
    few = topics_compute(BIKE[:2] + BUSES[:1], n_topics=10, seed=0)
    assert few.k == 3
    copies = topics_compute([BIKE[0]] * 5 + [BUSES[0]] * 5, n_topics=4, seed=0)
    assert copies.k == 2
    assert len(set(copies.labels[:5])) == 1
    assert len(set(copies.labels[5:])) == 1


def test_progress_is_reported_up_to_the_end_in_french():
    calls: list[tuple[float, str]] = []
    topics_compute(TEXTS, n_topics=3, seed=0, progress=lambda f, s: calls.append((f, s)))
    fractions = [fraction for fraction, _ in calls]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    assert {stage for _, stage in calls} >= {"Lecture des contributions", "Regroupement en sujets"}


def test_the_method_is_described_for_a_public_report(result):
    method = result.method
    assert method["k"] == 3
    assert method["k_requested"] == 3
    assert method["seed"] == 0
    assert "sans service extérieur" in method["description"]
    assert "Le nombre de sujets (3) a été fixé par l'équipe." in method["description"]
    assert "(0 sur 60)" in method["description"]


def test_keywords_follow_a_grouping_edited_by_hand(result):
    # Staff merge the trees into the bike topic and leave the last label empty.
    bike, trees = int(result.labels[0]), int(result.labels[len(BIKE)])
    edited = result.labels.copy()
    edited[edited == trees] = bike
    topics = keywords_for(TEXTS, edited, seed=0)
    assert len(topics) == 3
    assert topics[bike].size == 40
    assert {"cyclables", "arbres"} <= _words(topics[bike].keywords)
    assert topics[trees].size == 0
    assert topics[trees].keywords == ()
    assert topics[trees].representatives == ()


def test_keywords_for_the_computed_grouping_are_those_of_the_computation(result):
    assert keywords_for(TEXTS, result.labels, seed=0) == result.topics


def test_keywords_for_refuses_labels_that_do_not_match():
    with pytest.raises(TopicInputError, match="un sujet par contribution"):
        keywords_for(TEXTS, [0, 1])


def test_a_topic_splits_into_two_sub_topics():
    mixed = BIKE + BUSES
    labels = topic_split(mixed, k=2, seed=0)
    assert sorted(set(labels)) == [0, 1]
    assert adjusted_rand_score([0] * 20 + [1] * 20, labels) > 0.9
    with pytest.raises(TopicInputError):
        topic_split(mixed, k=1)


def test_near_duplicates_are_grouped_and_unrelated_texts_are_not():
    texts = [
        "Il faudrait créer des pistes cyclables sécurisées pour aller au travail.",  # 0
        "Planter des arbres dans les cours d'école pour avoir de l'ombre.",
        "Il faut créer davantage de pistes cyclables bien sécurisées pour aller au travail !",
        "TRI DES DECHETS",  # 3
        "Augmenter la fréquence des bus le dimanche.",
        "tri des déchets",  # 5
        "Des pistes cyclables le long du canal.",
        "Il faudrait créer des pistes cyclables sécurisées pour aller au travail.",  # 7
        "",
        "Rénover la piscine municipale et ouvrir le dimanche.",
        "Un marché de producteurs locaux le samedi matin.",
        "et le la",
    ]
    assert duplicate_groups(texts) == [[0, 2, 7], [3, 5]]
    assert duplicate_groups(texts, threshold=0.99) == [[0, 7], [3, 5]]
    assert duplicate_groups(["", "et le"]) == []
    assert duplicate_groups([]) == []


def test_similar_texts_ranks_the_closest_first():
    query = "Il faudrait plus de bus le soir et le dimanche"
    candidates = [
        "Planter des arbres dans la cour de l'école",
        "Des pistes cyclables le long du canal",
        "Plus de bus le soir et le dimanche, s'il vous plaît",
        "Augmenter la fréquence des bus",
    ]
    found = similar_texts(query, candidates)
    assert [index for index, _ in found] == [2]
    assert 0.6 < found[0][1] <= 1
    loose = similar_texts(query, candidates, min_score=0.05)
    assert [index for index, _ in loose] == [2, 3]
    assert loose[0][1] > loose[1][1] > 0.05
    assert similar_texts("Rien à voir : la bibliothèque municipale", candidates) == []
    assert similar_texts(query, candidates, limit=0) == []
    assert similar_texts(query, []) == []


def test_similar_texts_accepts_an_index_built_beforehand():
    candidates = ["Plus de bus le soir", "Des arbres dans la cour", "Un bus gratuit le soir"]
    index = pickle.loads(pickle.dumps(SimilarityIndex.build(candidates)))
    query = "Des bus le soir"
    assert similar_texts(query, index, min_score=0.1) == similar_texts(
        query, candidates, min_score=0.1
    )
    assert [i for i, _ in similar_texts(query, index, min_score=0.1)] == [0, 2]


def test_looks_french():
    assert looks_french("Il faudrait planter des arbres dans les rues pour avoir de l'ombre.")
    assert looks_french("Plus de bus le soir")
    assert not looks_french("The city should plant more trees in the streets to cool them down.")
    assert not looks_french("We need more buses in the evening and on Sundays, please.")
