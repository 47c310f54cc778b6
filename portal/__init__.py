"""The site shell: root URLs, home and role dashboards, the audit-trail page, navigation and the
demo data of the whole product. It sits above every app and assembles what they register."""
