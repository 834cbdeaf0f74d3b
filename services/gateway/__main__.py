from services.gateway import main

main()
