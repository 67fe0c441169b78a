package samples

// Regenerate dumps/NAME/{before,after}.txt for every scenario. -trimpath keeps
// machine paths (the work tree, GOROOT, the module cache) out of the frames.
//go:generate go run -trimpath ./cmd/scenarios -all -dir dumps
// And dumps/NAME/sigquit.txt: the SIGQUIT crash dump of a process that ran it.
//go:generate go run -trimpath ./cmd/scenarios -all -sigquit -dir dumps
