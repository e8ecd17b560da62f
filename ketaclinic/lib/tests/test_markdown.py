"""Clinic-written Markdown: the formatting survives, nothing executable does."""

from __future__ import annotations

from django.test import SimpleTestCase

from ketaclinic.lib.markdown import render_markdown


class MarkdownTests(SimpleTestCase):
    def test_it_keeps_the_formatting_a_clinic_uses(self) -> None:
        html = render_markdown("# Our service\n\n**IV ketamine**, *monitored*.\n\n- one\n- two")
        self.assertEqual(
            html,
            "<h3>Our service</h3>\n<p><strong>IV ketamine</strong>, <em>monitored</em>.</p>\n"
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
        )

    def test_it_removes_script_and_raw_html(self) -> None:
        html = render_markdown("Hi <script>alert(1)</script><b onclick='x()'>b</b><iframe src=x>")
        self.assertNotIn("<script", html)
        self.assertNotIn("<b", html)
        self.assertNotIn("<iframe", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)

    def test_it_removes_event_handlers_and_javascript_links(self) -> None:
        html = render_markdown(
            "[a](javascript:alert(1)) [b](data:text/html,x) <img src=x onerror=alert(1)>"
        )
        self.assertNotIn("javascript:", html.split("&lt;")[0])
        self.assertNotIn('href="data:', html)
        self.assertNotIn("<img", html)
        self.assertEqual(html.count("<a "), 2)
        self.assertNotIn("href", html.split("&lt;")[0])

    def test_it_keeps_safe_links_and_phone_links(self) -> None:
        html = render_markdown("[Call](tel:+15550100) [Site](https://clinic.example)")
        self.assertIn('<a href="tel:+15550100" rel="noopener noreferrer nofollow">Call</a>', html)
        self.assertIn('href="https://clinic.example"', html)
