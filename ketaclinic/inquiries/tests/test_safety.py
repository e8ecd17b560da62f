from __future__ import annotations

from django.test import SimpleTestCase

from ketaclinic.inquiries.safety import CRISIS_PHRASES, crisis_phrases_in


class CrisisPhrasesTestCase(SimpleTestCase):
    def test_it_finds_the_documented_phrases(self) -> None:
        for text, phrase in [
            ("I have had suicidal thoughts", "suicid"),
            ("Sometimes I want to KILL MYSELF", "kill myself"),
            ("I want to end my life", "end my life"),
            ("history of self-harm", "self-harm"),
            ("I might hurt myself", "hurt myself"),
            ("I don't want to live anymore", "don't want to live"),
            ("I don\u2019t want to live anymore", "don't want to live"),
            ("took an overdose in May", "overdose"),
        ]:
            self.assertIn(phrase, crisis_phrases_in([text]), text)

    def test_it_folds_line_breaks_and_spaces(self) -> None:
        self.assertEqual(crisis_phrases_in(["kill\n   myself"]), ["kill myself"])

    def test_it_looks_at_every_text_given(self) -> None:
        self.assertEqual(crisis_phrases_in(["hello", "", "better off dead"]), ["better off dead"])

    def test_it_finds_nothing_in_ordinary_text(self) -> None:
        text = "I have depression and would like to know about the infusions and the cost."
        self.assertEqual(crisis_phrases_in([text]), [])

    def test_it_keeps_the_list_lower_case(self) -> None:
        self.assertTrue(all(p == p.lower() for p in CRISIS_PHRASES))
