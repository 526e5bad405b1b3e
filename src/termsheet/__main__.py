from termsheet.cli import main

main()
