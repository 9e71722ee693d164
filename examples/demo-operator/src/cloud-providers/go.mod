module github.com/example/demo-operator/src/cloud-providers

go 1.22
