"""Telegram handlers, one module per feature; each exports the handlers it adds."""
