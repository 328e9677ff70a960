package compute_test

// novaSampleSkips says why a response sample (by path, or a whole folder)
// is not checked by TestNovaAPISamples.
var novaSampleSkips = map[string]string{}
