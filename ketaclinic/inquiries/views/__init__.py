"""Views of the inquiries app, split by workflow: public pages, the embeddable form, the list,
one inquiry."""
