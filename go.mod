module github.com/amulet-llm/amulet

go 1.26
