package samples

// Regenerate dumps/NAME/{before,after}.txt for every scenario. -trimpath keeps
// machine paths (the work tree, GOROOT, the module cache) out of the frames.
//go:generate go run -trimpath ./cmd/scenarios -all -dir dumps
