"""Outbound path: signing, delivery to the Outgoing URL, interpretation of the answer."""
