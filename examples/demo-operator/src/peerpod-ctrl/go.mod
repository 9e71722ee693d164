module github.com/example/demo-operator/src/peerpod-ctrl

go 1.22

require github.com/example/demo-operator/src/cloud-providers v0.0.0

replace github.com/example/demo-operator/src/cloud-providers => ../cloud-providers
