"""What the tests and the benchmarks share: the app on a live server, hostile upload files made on demand, and
the seeded points of the map test app. Not used by the app itself."""
