"""Steps on the built site: link checks, the security policy, the service worker and the offline copy."""
