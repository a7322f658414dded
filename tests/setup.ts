// Shared test setup. Keep it empty of behaviour: each test file creates its own fakes.
process.env.TZ = "UTC";
