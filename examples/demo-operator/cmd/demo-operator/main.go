package main

import "fmt"

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	fmt.Printf("demo-operator version %s\n", Version)
}
