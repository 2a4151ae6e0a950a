from citynet.cli import main

main()
